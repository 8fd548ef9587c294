using CleanWebhooks.Domain.Webhooks;
using static CleanWebhooks.Domain.Tests.Webhooks.Definitions;

namespace CleanWebhooks.Domain.Tests.Webhooks;

public class WebhookCreateTests
{
    [Fact]
    public void Create_SeedExample_KeepsEveryField()
    {
        var webhook = CreateValid(Seed());

        Assert.NotEqual(Guid.Empty, webhook.Id.Value);
        Assert.Equal(Client, webhook.ClientId);
        Assert.Equal("Webhook 1", webhook.Name);
        Assert.Equal(WebhookType.DocumentFinished, webhook.Type);
        Assert.Equal("POST", webhook.Method);
        Assert.Equal("application/json", webhook.Headers["Content-Type"]);
        Assert.Equal("Bearer", webhook.HeaderAuth);
        Assert.Equal("http://localhost:5000/ocr_feedback/:id", webhook.Url);
        Assert.Null(webhook.Authorization);
        Assert.Equal("http://localhost:5000/login", webhook.AuthorizationUrl);
        Assert.Equal("POST", webhook.AuthorizationMethod);
        Assert.Equal("application/x-www-form-urlencoded", webhook.AuthorizationHeaders!["Content-Type"]);
        Assert.Equal("""{"username": "root", "password": "root"}""", webhook.AuthorizationBody);
        Assert.Equal("access_token", webhook.AuthorizationResponseTokenAttr);
        Assert.Equal(Now, webhook.CreatedAt);
        Assert.Equal(Now, webhook.UpdatedAt);
        Assert.Null(webhook.DeletedAt);
    }

    [Fact]
    public void Create_Always_GeneratesAStandardWebhooksSecret()
    {
        var first = CreateValid(Minimal());
        var second = CreateValid(Minimal());

        Assert.StartsWith(SigningSecret.Prefix, first.SigningSecret, StringComparison.Ordinal);
        Assert.Equal(32, SigningSecret.KeyBytes(first.SigningSecret).Length);
        Assert.NotEqual(first.SigningSecret, second.SigningSecret);
        Assert.NotEqual(first.Id, second.Id);
        Assert.Null(first.PreviousSigningSecret);
    }

    // --- url ---

    [Theory]
    [InlineData("http://localhost:5000/ocr_feedback/")]
    [InlineData("http://localhost:5000/ocr_feedback/:identity")]
    public void Create_UrlWithoutIdPlaceholder_IsRefusedOnUrl(string url)
    {
        var error = Refused(Minimal() with { Url = url });

        Assert.Equal(WebhookErrors.UrlWithoutIdPlaceholder, error);
        Assert.Equal("url", error.Field);
    }

    [Theory]
    [InlineData("/ocr_feedback/:id")]
    [InlineData("localhost:5000/ocr_feedback/:id")]
    [InlineData("ftp://localhost/ocr_feedback/:id")]
    [InlineData("file:///tmp/:id")]
    [InlineData("mailto:someone@example.com?subject=:id")]
    [InlineData("http:///:id")]
    [InlineData("")]
    public void Create_UrlNotAbsoluteHttp_IsRefusedOnUrl(string url)
    {
        var error = Refused(Minimal() with { Url = url });

        Assert.Equal(WebhookErrors.InvalidUrl, error);
        Assert.Equal("url", error.Field);
    }

    [Theory]
    [InlineData("http://localhost:5000/ocr_feedback/:id")]
    [InlineData("https://example.com/hooks/:id?source=ocr")]
    [InlineData("HTTPS://EXAMPLE.COM/:id")]
    public void Create_AbsoluteHttpUrlWithId_IsAccepted(string url)
    {
        Assert.Equal(url, CreateValid(Minimal() with { Url = url }).Url);
    }

    [Fact]
    public void Create_UrlAtMaxLength_IsAccepted()
    {
        var url = UrlOfLength(WebhookRules.UrlMaxLength);

        Assert.Equal(url, CreateValid(Minimal() with { Url = url }).Url);
    }

    [Fact]
    public void Create_UrlOverMaxLength_IsRefusedOnUrl()
    {
        var error = Refused(Minimal() with { Url = UrlOfLength(WebhookRules.UrlMaxLength + 1) });

        Assert.Equal(WebhookErrors.InvalidUrl, error);
    }

    // --- method ---

    [Theory]
    [InlineData("POST", "POST")]
    [InlineData("PUT", "PUT")]
    [InlineData("GET", "GET")]
    [InlineData("DELETE", "DELETE")]
    [InlineData("post", "POST")]
    [InlineData("Put", "PUT")]
    [InlineData(" delete ", "DELETE")]
    public void Create_AllowedMethod_IsUpperCased(string method, string expected)
    {
        Assert.Equal(expected, CreateValid(Minimal() with { Method = method }).Method);
    }

    [Theory]
    [InlineData("PATCH")]
    [InlineData("HEAD")]
    [InlineData("OPTIONS")]
    [InlineData("")]
    [InlineData("PO ST")]
    public void Create_OtherMethod_IsRefusedOnMethod(string method)
    {
        var error = Refused(Minimal() with { Method = method });

        Assert.Equal(WebhookErrors.InvalidMethod, error);
        Assert.Equal("method", error.Field);
    }

    // --- type ---

    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    [InlineData(int.MaxValue)]
    public void Create_UnknownType_IsRefusedOnType(int type)
    {
        var error = Refused(Minimal() with { Type = type });

        Assert.Equal(WebhookErrors.UnknownType, error);
        Assert.Equal("type", error.Field);
    }

    // --- name ---

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Create_BlankName_IsRefusedOnName(string name)
    {
        var error = Refused(Minimal() with { Name = name });

        Assert.Equal(WebhookErrors.InvalidName, error);
        Assert.Equal("name", error.Field);
    }

    [Fact]
    public void Create_NameOverMaxLength_IsRefusedOnName()
    {
        var error = Refused(Minimal() with { Name = new string('n', WebhookRules.NameMaxLength + 1) });

        Assert.Equal(WebhookErrors.InvalidName, error);
    }

    [Fact]
    public void Create_NameAtMaxLength_IsAccepted()
    {
        var name = new string('n', WebhookRules.NameMaxLength);

        Assert.Equal(name, CreateValid(Minimal() with { Name = name }).Name);
    }

    [Fact]
    public void Create_NameWithSurroundingSpaces_IsTrimmed()
    {
        var padded = "  " + new string('n', WebhookRules.NameMaxLength) + "  ";

        Assert.Equal(padded.Trim(), CreateValid(Minimal() with { Name = padded }).Name);
    }

    // --- headerAuth ---

    [Theory]
    [InlineData("Bear er")]
    [InlineData("Bearer:")]
    [InlineData("Bearer\r\nX-Evil: 1")]
    public void Create_HeaderAuthNotAScheme_IsRefusedOnHeaderAuth(string headerAuth)
    {
        var error = Refused(Minimal() with { HeaderAuth = headerAuth });

        Assert.Equal(WebhookErrors.InvalidHeaderAuth, error);
        Assert.Equal("headerAuth", error.Field);
    }

    [Fact]
    public void Create_HeaderAuthOverMaxLength_IsRefusedOnHeaderAuth()
    {
        var error = Refused(Minimal() with { HeaderAuth = new string('B', WebhookRules.HeaderAuthMaxLength + 1) });

        Assert.Equal(WebhookErrors.InvalidHeaderAuth, error);
    }

    [Fact]
    public void Create_EmptyHeaderAuth_IsStoredAsNull()
    {
        Assert.Null(CreateValid(Minimal() with { HeaderAuth = " " }).HeaderAuth);
    }

    private static string UrlOfLength(int length)
    {
        const string start = "https://example.com/:id/";
        return start + new string('a', length - start.Length);
    }
}
