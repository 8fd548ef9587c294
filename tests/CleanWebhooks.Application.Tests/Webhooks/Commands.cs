using System.Text.Json;
using CleanWebhooks.Application.Common.Behaviors;
using CleanWebhooks.Application.Webhooks;
using CleanWebhooks.Application.Webhooks.CreateWebhook;
using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Common;
using FluentValidation;
using Microsoft.Extensions.DependencyInjection;

namespace CleanWebhooks.Application.Tests.Webhooks;

/// <summary>Valid create commands to start from, and their validation as the pipeline runs it.</summary>
internal static class Commands
{
    private static readonly Error HandlerRan = new("test.handler_ran", "The handler ran.", ErrorType.Conflict);

    static Commands()
    {
        // The application's own set-up: it also makes messages name fields as clients send them.
        new ServiceCollection().AddApplication();
        Validator = new CreateWebhookCommandValidator();
    }

    public static CreateWebhookCommandValidator Validator { get; }

    public static CreateWebhookCommand Minimal() => new(
        ClientId.New(), Name: "Webhook 1", Type: 0, Method: "POST", Headers: null, HeaderAuth: null,
        Url: "http://localhost:5000/ocr_feedback/:id", Authorization: null, AuthorizationUrl: null, AuthorizationMethod: null,
        AuthorizationHeaders: null, AuthorizationBody: null, AuthorizationResponseTokenAttr: null);

    /// <summary>The seed page's example request.</summary>
    public static CreateWebhookCommand Seed() => Minimal() with
    {
        Headers = new Dictionary<string, string> { ["Content-Type"] = "application/json" },
        HeaderAuth = "Bearer",
        AuthorizationUrl = "http://localhost:5000/login",
        AuthorizationMethod = "POST",
        AuthorizationHeaders = new Dictionary<string, string> { ["Content-Type"] = "application/x-www-form-urlencoded" },
        AuthorizationBody = Json("""{"username": "root", "password": "root"}"""),
        AuthorizationResponseTokenAttr = "access_token",
    };

    public static JsonElement Json(string json) => JsonSerializer.Deserialize<JsonElement>(json);

    /// <summary>
    /// Runs the command through <see cref="ValidationBehavior{TMessage,TResponse}"/> with the real validator, as the
    /// mediator does: the errors keyed by the field the client sent, or none when the handler was reached.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, string[]>> ErrorsOf(CreateWebhookCommand command)
    {
        var behavior = new ValidationBehavior<CreateWebhookCommand, Result<WebhookResponse>>([Validator]);

        var result = await behavior.Handle(command, (_, _) => ValueTask.FromResult(Result<WebhookResponse>.Failure(HandlerRan)), default);

        if (result.Error == HandlerRan)
        {
            return new Dictionary<string, string[]>();
        }

        return Assert.IsType<ValidationError>(result.Error).Errors;
    }

    /// <summary>The messages of the one field that is wrong; fails when other fields are wrong too.</summary>
    public static async Task<string[]> OnlyErrorOn(string field, CreateWebhookCommand command)
    {
        var errors = await ErrorsOf(command);
        Assert.True(errors.ContainsKey(field), $"No error on '{field}'; errors: {Describe(errors)}");
        Assert.True(errors.Count == 1, $"Errors on other fields than '{field}': {Describe(errors)}");
        return errors[field];
    }

    public static string Describe(IReadOnlyDictionary<string, string[]> errors) =>
        errors.Count == 0 ? "none" : string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" | ", e.Value)}"));

    public static Dictionary<string, string> Headers(int count, Func<int, string>? value = null) =>
        Enumerable.Range(0, count).ToDictionary(i => $"X-H{i}", i => value?.Invoke(i) ?? "v");

    /// <summary>FluentValidation discovers validators through DI; this is what <c>AddApplication</c> registers.</summary>
    public static bool IsRegistered<TValidator>() =>
        new ServiceCollection().AddApplication().Any(d => d.ImplementationType == typeof(TValidator));
}
