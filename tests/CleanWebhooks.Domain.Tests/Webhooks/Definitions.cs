using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Common;
using CleanWebhooks.Domain.Webhooks;

namespace CleanWebhooks.Domain.Tests.Webhooks;

/// <summary>Valid webhook definitions to start from; each test changes the one field it is about.</summary>
internal static class Definitions
{
    public static readonly ClientId Client = new(Guid.Parse("113d37ed-6b47-46b6-bc50-bf5d64ad3a94"));

    public static readonly DateTimeOffset Now = new(2024, 4, 11, 17, 12, 33, TimeSpan.Zero);

    /// <summary>The least a webhook needs: name, type, method and a url with <c>:id</c>.</summary>
    public static WebhookDefinition Minimal() => new(
        Name: "Webhook 1", Type: 0, Method: "POST", Headers: null, HeaderAuth: null,
        Url: "http://localhost:5000/ocr_feedback/:id", Authorization: null, AuthorizationUrl: null,
        AuthorizationMethod: null, AuthorizationHeaders: null, AuthorizationBody: null, AuthorizationResponseTokenAttr: null);

    /// <summary>The seed page's example: a token fetched from <c>authorizationUrl</c>.</summary>
    public static WebhookDefinition Seed() => Minimal() with
    {
        Headers = new Dictionary<string, string> { ["Content-Type"] = "application/json" },
        HeaderAuth = "Bearer",
        AuthorizationUrl = "http://localhost:5000/login",
        AuthorizationMethod = "POST",
        AuthorizationHeaders = new Dictionary<string, string> { ["Content-Type"] = "application/x-www-form-urlencoded" },
        AuthorizationBody = """{"username": "root", "password": "root"}""",
        AuthorizationResponseTokenAttr = "access_token",
    };

    public static Result<Webhook> Create(WebhookDefinition definition) => Webhook.Create(Client, definition, Now);

    public static Webhook CreateValid(WebhookDefinition definition)
    {
        var result = Create(definition);
        Assert.True(result.IsSuccess, result.Error?.Description);
        return result.Value;
    }

    /// <summary>The error of a definition that must be refused.</summary>
    public static Error Refused(WebhookDefinition definition)
    {
        var result = Create(definition);
        Assert.False(result.IsSuccess, "The definition was accepted.");
        Assert.Equal(ErrorType.Validation, result.Error.Type);
        return result.Error;
    }

    public static Dictionary<string, string> Headers(int count, Func<int, string>? value = null) =>
        Enumerable.Range(0, count).ToDictionary(i => $"X-H{i}", i => value?.Invoke(i) ?? "v");
}
