using Microsoft.Extensions.Options;

namespace CleanWebhooks.Api.Auth;

/// <summary>
/// The keys that come from configuration rather than from the database: <c>Internal:ApiKeys</c> and <c>Demo:ApiKey</c>.
/// Outside Development each must have at least <see cref="MinLength"/> characters, or the service refuses to start,
/// naming the setting: the failed-authentication throttle answers 429 to wrong keys and 200 to the right one, so a
/// short key could still be found by trying (<c>dev-internal-key</c> at thousands of tries a second).
/// </summary>
public sealed class ConfiguredKeys
{
    public const int MinLength = 32;

    public IReadOnlyList<string> InternalApiKeys { get; set; } = [];

    public string? DemoApiKey { get; set; }

    public static void Add(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ConfiguredKeys>()
            .Configure(keys =>
            {
                keys.InternalApiKeys = configuration.GetSection("Internal:ApiKeys").Get<string[]>() ?? [];
                keys.DemoApiKey = configuration["Demo:ApiKey"];
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ConfiguredKeys>, Validation>();
    }

    /// <summary>Names each key that is too short by its setting (never its value), outside Development.</summary>
    private sealed class Validation(IHostEnvironment environment) : IValidateOptions<ConfiguredKeys>
    {
        public ValidateOptionsResult Validate(string? name, ConfiguredKeys options)
        {
            if (environment.IsDevelopment())
            {
                return ValidateOptionsResult.Success;
            }

            var settings = options.InternalApiKeys.Select((key, i) => ($"Internal:ApiKeys:{i}", (string?)key))
                .Append(("Demo:ApiKey", options.DemoApiKey));
            var tooShort = settings
                .Where(s => s.Item2 is { Length: > 0 } key && key.Length < MinLength)
                .Select(s => $"{s.Item1} has {s.Item2!.Length} characters; outside Development a key needs at least {MinLength}, so that it cannot be guessed.")
                .ToList();
            return tooShort.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(tooShort);
        }
    }
}
