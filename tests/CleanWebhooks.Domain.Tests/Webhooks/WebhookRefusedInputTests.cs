using CleanWebhooks.Domain.Webhooks;
using static CleanWebhooks.Domain.Tests.Webhooks.Definitions;

namespace CleanWebhooks.Domain.Tests.Webhooks;

/// <summary>Contract section 6: what registration refuses, enforced by the entity itself.</summary>
public class WebhookRefusedInputTests
{
    public static TheoryData<string> RefusedUrls => new()
    {
        "http://localhost:5000/hook/:id\r\nX-Injected: 1",
        "http://localhost:5000/hook/:id\n",
        "http://localhost:5000/ho ok/:id",
        " http://localhost:5000/hook/:id",
        "http://localhost:5000/hook/:id ",
        "http://localhost:5000/hook/:id\0",
        "http://localhost:5000/hook/\t:id",
        "http://local\u0085host/hook/:id",
        "http://localhost:0/hook/:id",
        "http://localhost:65536/hook/:id",
        "http://user:pass@localhost:5000/hook/:id",
        "http://user@localhost:5000/hook/:id",
        "http://@localhost:5000/hook/:id",
        "ftp://localhost/hook/:id",
    };

    [Theory]
    [MemberData(nameof(RefusedUrls))]
    public void Create_RefusedUrl_IsRefusedOnUrl(string url)
    {
        var error = Refused(Minimal() with { Url = url });

        Assert.Equal("url", error.Field);
        Assert.False(string.IsNullOrEmpty(error.Portuguese));
    }

    [Theory]
    [MemberData(nameof(RefusedUrls))]
    public void Create_RefusedAuthorizationUrl_IsRefusedOnAuthorizationUrl(string url)
    {
        var error = Refused(Seed() with { AuthorizationUrl = url.Replace(":id", "login", StringComparison.Ordinal) });

        Assert.Equal("webhook.invalid_authorization_url", error.Code);
    }

    [Theory]
    [InlineData("http://localhost:1/hook/:id")]
    [InlineData("http://localhost:65535/hook/:id")]
    [InlineData("https://example.com/hook/:id?user=a@b")]
    [InlineData("https://example.com/a@b/:id")]
    [InlineData("http://[::1]:8080/hook/:id")]
    public void Create_UrlAtTheEdges_IsAccepted(string url)
    {
        Assert.Equal(url, CreateValid(Minimal() with { Url = url }).Url);
    }

    [Theory]
    [InlineData("\0")]
    [InlineData("Web\0hook")]
    [InlineData("invoice\u202Efdp.exe")]
    [InlineData("a\u2066b")]
    [InlineData("line\nbreak")]
    [InlineData("bell\u0007")]
    public void Create_NameWithControlCharacters_IsRefusedOnName(string name)
    {
        var error = Refused(Minimal() with { Name = name });

        Assert.Equal("webhook.invalid_name", error.Code);
        Assert.Equal("name", error.Field);
    }

    [Theory]
    [InlineData("Notificações — produção 🚀")]
    [InlineData("  padded  ")]
    public void Create_NameWithoutControlCharacters_IsAcceptedTrimmed(string name)
    {
        Assert.Equal(name.Trim(), CreateValid(Minimal() with { Name = name }).Name);
    }

    [Theory]
    [InlineData("Keep-Alive")]
    [InlineData("Upgrade")]
    [InlineData("TE")]
    [InlineData("Trailer")]
    [InlineData("Expect")]
    [InlineData("Proxy-Authorization")]
    [InlineData("Proxy-Connection")]
    [InlineData("webhook-anything")]
    public void Create_RefusedHeader_IsRefusedInBothSets(string name)
    {
        var inHeaders = Refused(Seed() with { Headers = new Dictionary<string, string> { [name] = "100-continue" } });
        var inTokenCall = Refused(Seed() with { AuthorizationHeaders = new Dictionary<string, string> { [name] = "100-continue" } });

        Assert.Equal(("webhook.invalid_headers", "headers"), (inHeaders.Code, inHeaders.Field));
        Assert.Equal(("webhook.invalid_headers", "authorizationHeaders"), (inTokenCall.Code, inTokenCall.Field));
    }

    [Theory]
    [InlineData("Authorization")]
    [InlineData("authorization")]
    public void Create_AuthorizationInHeaders_IsRefusedPointingToTheAuthorizationField(string name)
    {
        var error = Refused(Minimal() with { Headers = new Dictionary<string, string> { [name] = "Bearer secret" } });

        Assert.Equal("headers", error.Field);
        Assert.Contains("authorization field", error.Description, StringComparison.Ordinal);
        Assert.Contains("campo authorization", error.Portuguese, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_AuthorizationInAuthorizationHeaders_IsAccepted()
    {
        var webhook = CreateValid(Seed() with { AuthorizationHeaders = new Dictionary<string, string> { ["Authorization"] = "Basic Y2xpZW50OnNlY3JldA==" } });

        Assert.Equal("Basic Y2xpZW50OnNlY3JldA==", webhook.AuthorizationHeaders!["Authorization"]);
    }

    [Fact]
    public void Create_CookieHeader_IsAccepted()
    {
        Assert.Equal("session=abc", CreateValid(Minimal() with { Headers = new Dictionary<string, string> { ["Cookie"] = "session=abc" } }).Headers["Cookie"]);
    }

    [Theory]
    [InlineData("a\tb")]
    [InlineData(" leading")]
    [InlineData("trailing ")]
    public void Create_HeaderValueWithTabOrOuterSpace_IsRefused(string value)
    {
        var error = Refused(Minimal() with { Headers = new Dictionary<string, string> { ["X-A"] = value } });

        Assert.Equal("headers", error.Field);
    }
}
