using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using CleanWebhooks.Api.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace CleanWebhooks.Api.Auth;

/// <summary>The configured <c>Internal:ApiKeys</c>, as SHA-256 hashes.</summary>
public sealed class InternalKeys
{
    private readonly byte[][] _hashes;

    public InternalKeys(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        _hashes = [.. configuration.GetSection("Internal:ApiKeys").Get<string[]>()?.Where(k => k.Length > 0).Select(Hash) ?? []];
    }

    /// <summary>The caller's fingerprint when <paramref name="key"/> is configured; compared in constant time.</summary>
    public string? Match(string key)
    {
        var hash = Hash(key);
        var found = false;
        foreach (var candidate in _hashes)
        {
            found |= CryptographicOperations.FixedTimeEquals(candidate, hash);
        }

        return found ? Convert.ToHexStringLower(hash)[..16] : null;
    }

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}

/// <summary>Admits the platform's own services by <c>X-INTERNAL-KEY</c>.</summary>
public sealed class InternalKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, InternalKeys keys, FailedAuthentications failures)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(AuthSchemes.InternalKeyHeader, out var values) || values.Count != 1)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (keys.Match(values[0]!) is not { } caller)
        {
            return Task.FromResult(AuthenticateResult.Fail(failures.Record(Context) ? "Unknown internal key." : "Too many failed authentications from this address."));
        }

        var identity = new ClaimsIdentity([new Claim(AuthSchemes.CallerClaim, caller)], Scheme.Name);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        FailedAuthentications.ChallengeAsync(Context, $"A valid {AuthSchemes.InternalKeyHeader} header is required.");
}
