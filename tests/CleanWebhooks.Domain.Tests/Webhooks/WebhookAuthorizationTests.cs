using CleanWebhooks.Domain.Webhooks;
using static CleanWebhooks.Domain.Tests.Webhooks.Definitions;

namespace CleanWebhooks.Domain.Tests.Webhooks;

/// <summary>The two authorization modes: a fixed <c>authorization</c>, or a token fetched from <c>authorizationUrl</c>.</summary>
public class WebhookAuthorizationTests
{
    private const string FixedAuthorization = "Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJI...";

    [Fact]
    public void Create_FixedAuthorization_IsKeptAndHasNoTokenSettings()
    {
        var webhook = CreateValid(Minimal() with { Authorization = FixedAuthorization });

        Assert.Equal(FixedAuthorization, webhook.Authorization);
        Assert.Null(webhook.AuthorizationUrl);
        Assert.Null(webhook.AuthorizationMethod);
        Assert.Null(webhook.AuthorizationHeaders);
        Assert.Null(webhook.AuthorizationBody);
        Assert.Null(webhook.AuthorizationResponseTokenAttr);
    }

    [Fact]
    public void Create_AuthorizationAndAuthorizationUrl_IsRefusedOnAuthorization()
    {
        var error = Refused(Seed() with { Authorization = FixedAuthorization });

        Assert.Equal(WebhookErrors.TwoAuthorizationModes, error);
        Assert.Equal("authorization", error.Field);
    }

    [Theory]
    [InlineData("Bearer abc\r\nX-Injected: 1")]
    [InlineData("Bearer a\nbc")]
    [InlineData("Bearer a\0c")]
    public void Create_AuthorizationWithLineBreak_IsRefusedOnAuthorization(string authorization)
    {
        var error = Refused(Minimal() with { Authorization = authorization });

        Assert.Equal(WebhookErrors.InvalidAuthorization, error);
        Assert.Equal("authorization", error.Field);
    }

    public static TheoryData<string> TokenSettings => new() { "authorizationMethod", "authorizationHeaders", "authorizationBody", "authorizationResponseTokenAttr" };

    [Theory]
    [MemberData(nameof(TokenSettings))]
    public void Create_TokenSettingWithoutAuthorizationUrl_IsRefusedOnAuthorizationUrl(string setting)
    {
        var definition = setting switch
        {
            "authorizationMethod" => Minimal() with { AuthorizationMethod = "POST" },
            "authorizationHeaders" => Minimal() with { AuthorizationHeaders = new Dictionary<string, string> { ["X-A"] = "1" } },
            "authorizationBody" => Minimal() with { AuthorizationBody = """{"username": "root"}""" },
            _ => Minimal() with { AuthorizationResponseTokenAttr = "access_token" },
        };

        var error = Refused(definition);

        Assert.Equal(WebhookErrors.TokenSettingsWithoutUrl, error);
        Assert.Equal("authorizationUrl", error.Field);
    }

    [Fact]
    public void Create_EmptyTokenSettingsWithoutAuthorizationUrl_AreAccepted()
    {
        var webhook = CreateValid(Minimal() with
        {
            AuthorizationMethod = "",
            AuthorizationHeaders = new Dictionary<string, string>(),
            AuthorizationBody = " ",
            AuthorizationResponseTokenAttr = "",
        });

        Assert.Null(webhook.AuthorizationMethod);
        Assert.Null(webhook.AuthorizationHeaders);
        Assert.Null(webhook.AuthorizationBody);
    }

    [Fact]
    public void Create_AuthorizationUrlAlone_DefaultsMethodToPostAndTokenAttrToAccessToken()
    {
        var webhook = CreateValid(Minimal() with { AuthorizationUrl = "https://auth.example.com/login" });

        Assert.Equal(WebhookRules.DefaultAuthorizationMethod, webhook.AuthorizationMethod);
        Assert.Equal("POST", webhook.AuthorizationMethod);
        Assert.Equal("access_token", webhook.AuthorizationResponseTokenAttr);
        Assert.Null(webhook.Authorization);
    }

    [Fact]
    public void Create_AuthorizationUrlWithSettings_KeepsThemAndUpperCasesTheMethod()
    {
        var webhook = CreateValid(Seed() with { AuthorizationMethod = "put", AuthorizationResponseTokenAttr = "data.token" });

        Assert.Equal("PUT", webhook.AuthorizationMethod);
        Assert.Equal("data.token", webhook.AuthorizationResponseTokenAttr);
    }

    [Fact]
    public void Create_AuthorizationUrlWithoutIdPlaceholder_IsAccepted()
    {
        Assert.Equal("http://localhost:5000/login", CreateValid(Seed()).AuthorizationUrl);
    }

    [Theory]
    [InlineData("/login")]
    [InlineData("ftp://auth.example.com/login")]
    [InlineData("not a url")]
    public void Create_AuthorizationUrlNotAbsoluteHttp_IsRefusedOnAuthorizationUrl(string url)
    {
        var error = Refused(Seed() with { AuthorizationUrl = url });

        Assert.Equal(WebhookErrors.InvalidAuthorizationUrl, error);
        Assert.Equal("authorizationUrl", error.Field);
    }

    [Theory]
    [InlineData("PATCH")]
    [InlineData("CONNECT")]
    public void Create_AuthorizationMethodNotAllowed_IsRefusedOnAuthorizationMethod(string method)
    {
        var error = Refused(Seed() with { AuthorizationMethod = method });

        Assert.Equal(WebhookErrors.InvalidAuthorizationMethod, error);
        Assert.Equal("authorizationMethod", error.Field);
    }

    [Theory]
    [InlineData("data..token")]
    [InlineData(".token")]
    [InlineData("token.")]
    public void Create_TokenAttrWithEmptySegment_IsRefusedOnTokenAttr(string attr)
    {
        var error = Refused(Seed() with { AuthorizationResponseTokenAttr = attr });

        Assert.Equal(WebhookErrors.InvalidTokenAttr, error);
        Assert.Equal("authorizationResponseTokenAttr", error.Field);
    }

    [Fact]
    public void Create_TokenAttrOverMaxLength_IsRefusedOnTokenAttr()
    {
        var error = Refused(Seed() with { AuthorizationResponseTokenAttr = new string('t', WebhookRules.TokenAttrMaxLength + 1) });

        Assert.Equal(WebhookErrors.InvalidTokenAttr, error);
    }

    // --- redaction ---

    [Theory]
    [InlineData("Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJI...", "Bearer ****")]
    [InlineData("Basic dXNlcjpwYXNz", "Basic ****")]
    [InlineData("token-without-scheme", "****")]
    [InlineData("  Bearer abc  ", "Bearer ****")]
    [InlineData("averyveryverylongsecretvalue-that-is-no-scheme tail", "****")]
    [InlineData("Bearer, abc", "****")]
    [InlineData("ghp_secretsecretsec v2", "****")]
    [InlineData("bearer abc", "bearer ****")]
    public void RedactedAuthorization_FixedAuthorization_KeepsTheSchemeAndMasksTheRest(string authorization, string expected)
    {
        var webhook = CreateValid(Minimal() with { Authorization = authorization });

        Assert.Equal(expected, webhook.RedactedAuthorization);
        Assert.Equal(authorization.Trim(), webhook.Authorization);
    }

    [Fact]
    public void RedactedAuthorization_NoAuthorization_IsNull()
    {
        Assert.Null(CreateValid(Seed()).RedactedAuthorization);
    }
}
