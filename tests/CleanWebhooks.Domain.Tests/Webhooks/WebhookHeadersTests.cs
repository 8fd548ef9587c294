using CleanWebhooks.Domain.Webhooks;
using static CleanWebhooks.Domain.Tests.Webhooks.Definitions;

namespace CleanWebhooks.Domain.Tests.Webhooks;

/// <summary>The header rules, which hold for <c>headers</c> and <c>authorizationHeaders</c> alike.</summary>
public class WebhookHeadersTests
{
    public static TheoryData<string> InvalidNames => new()
    {
        "X Custom", "X-Custom:", "(X)", "X/Y", "X\"Y", "Ação", "X\tY", "X\r\nY", "",
    };

    [Theory]
    [MemberData(nameof(InvalidNames))]
    public void Create_HeaderNameNotAnRfc9110Token_IsRefusedOnHeaders(string name)
    {
        var error = Refused(Minimal() with { Headers = new Dictionary<string, string> { [name] = "v" } });

        Assert.Equal("webhook.invalid_headers", error.Code);
        Assert.Equal("headers", error.Field);
    }

    [Theory]
    [InlineData("X-Custom")]
    [InlineData("x_custom.v2")]
    [InlineData("!#$%&'*+-.^_`|~")]
    public void Create_HeaderNameThatIsAToken_IsAccepted(string name)
    {
        var webhook = CreateValid(Minimal() with { Headers = new Dictionary<string, string> { [name] = "v" } });

        Assert.Equal("v", webhook.Headers[name]);
    }

    [Theory]
    [InlineData("a\rb")]
    [InlineData("a\nb")]
    [InlineData("a\r\nX-Injected: 1")]
    [InlineData("a\0b")]
    [InlineData("ação")]
    [InlineData("a\u007Fb")]
    public void Create_HeaderValueWithLineBreakOrNonAscii_IsRefusedOnHeaders(string value)
    {
        var error = Refused(Minimal() with { Headers = new Dictionary<string, string> { ["X-Custom"] = value } });

        Assert.Equal("webhook.invalid_headers", error.Code);
        Assert.Equal("headers", error.Field);
    }

    [Theory]
    [InlineData("Host")]
    [InlineData("Content-Length")]
    [InlineData("Transfer-Encoding")]
    [InlineData("Connection")]
    [InlineData("host")]
    [InlineData("CONTENT-LENGTH")]
    [InlineData("webhook-id")]
    [InlineData("webhook-timestamp")]
    [InlineData("Webhook-Signature")]
    public void Create_ReservedHeader_IsRefusedOnHeaders(string name)
    {
        var error = Refused(Minimal() with { Headers = new Dictionary<string, string> { [name] = "1" } });

        Assert.Equal("webhook.invalid_headers", error.Code);
        Assert.Contains(name, error.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_MaxHeaders_IsAccepted()
    {
        Assert.Equal(WebhookRules.MaxHeaders, CreateValid(Minimal() with { Headers = Headers(WebhookRules.MaxHeaders) }).Headers.Count);
    }

    [Fact]
    public void Create_OneHeaderOverMax_IsRefusedOnHeaders()
    {
        var error = Refused(Minimal() with { Headers = Headers(WebhookRules.MaxHeaders + 1) });

        Assert.Equal("webhook.invalid_headers", error.Code);
        Assert.Equal("headers", error.Field);
    }

    [Fact]
    public void Create_HeadersOfExactly8KB_AreAccepted()
    {
        // "X-Big" and a value filling the rest: names and values together are 8192 bytes.
        var headers = new Dictionary<string, string> { ["X-Big"] = new('v', WebhookRules.MaxHeadersBytes - "X-Big".Length) };

        Assert.Single(CreateValid(Minimal() with { Headers = headers }).Headers);
    }

    [Fact]
    public void Create_HeadersOver8KB_AreRefusedOnHeaders()
    {
        var headers = new Dictionary<string, string> { ["X-Big"] = new('v', WebhookRules.MaxHeadersBytes - "X-Big".Length + 1) };

        var error = Refused(Minimal() with { Headers = headers });

        Assert.Equal("webhook.invalid_headers", error.Code);
        Assert.Equal("headers", error.Field);
    }

    [Fact]
    public void Create_HeadersSpreadOverManyHeadersPast8KB_AreRefused()
    {
        var error = Refused(Minimal() with { Headers = Headers(WebhookRules.MaxHeaders, _ => new string('v', 200)) });

        Assert.Equal("webhook.invalid_headers", error.Code);
    }

    [Fact]
    public void Create_HeaderNamesDifferingOnlyInCase_AreRefusedOnHeaders()
    {
        // HTTP header names are case-insensitive: these are the same header twice.
        var headers = new Dictionary<string, string> { ["X-Custom"] = "1", ["x-custom"] = "2" };

        var error = Refused(Minimal() with { Headers = headers });

        Assert.Equal("webhook.invalid_headers", error.Code);
        Assert.Equal("headers", error.Field);
    }

    [Fact]
    public void Create_Headers_AreCopiedAndLookedUpIgnoringCase()
    {
        var input = new Dictionary<string, string> { ["X-Custom"] = "1" };

        var webhook = CreateValid(Minimal() with { Headers = input });
        input["X-Custom"] = "changed";
        input["X-Other"] = "added";

        Assert.Equal("1", webhook.Headers["x-custom"]);
        Assert.Single(webhook.Headers);
    }

    [Fact]
    public void Create_NoHeaders_HasAnEmptyHeaderSet()
    {
        Assert.Empty(CreateValid(Minimal()).Headers);
    }

    [Fact]
    public void Create_InvalidAuthorizationHeader_IsRefusedOnAuthorizationHeaders()
    {
        var error = Refused(Seed() with { AuthorizationHeaders = new Dictionary<string, string> { ["Host"] = "evil.example" } });

        Assert.Equal("webhook.invalid_headers", error.Code);
        Assert.Equal("authorizationHeaders", error.Field);
    }

    [Fact]
    public void Create_AuthorizationHeaderValueWithLineBreak_IsRefusedOnAuthorizationHeaders()
    {
        var error = Refused(Seed() with { AuthorizationHeaders = new Dictionary<string, string> { ["X-A"] = "1\r\nX-B: 2" } });

        Assert.Equal("authorizationHeaders", error.Field);
    }

    [Fact]
    public void Create_TooManyAuthorizationHeaders_AreRefusedOnAuthorizationHeaders()
    {
        var error = Refused(Seed() with { AuthorizationHeaders = Headers(WebhookRules.MaxHeaders + 1) });

        Assert.Equal("authorizationHeaders", error.Field);
    }
}
