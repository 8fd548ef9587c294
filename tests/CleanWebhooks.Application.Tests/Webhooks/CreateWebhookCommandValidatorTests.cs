using CleanWebhooks.Application.Webhooks.CreateWebhook;
using CleanWebhooks.Domain.Webhooks;
using static CleanWebhooks.Application.Tests.Webhooks.Commands;

namespace CleanWebhooks.Application.Tests.Webhooks;

/// <summary>One test per rule, each asserting the camelCase field the error lands on.</summary>
public class CreateWebhookCommandValidatorTests
{
    [Fact]
    public async Task Validate_SeedExample_HasNoError()
    {
        var errors = await ErrorsOf(Seed());

        Assert.True(errors.Count == 0, Describe(errors));
    }

    [Fact]
    public async Task Validate_FixedAuthorization_HasNoError()
    {
        var errors = await ErrorsOf(Minimal() with { Authorization = "Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJI...", HeaderAuth = "Bearer" });

        Assert.True(errors.Count == 0, Describe(errors));
    }

    [Fact]
    public void AddApplication_Always_RegistersTheValidator()
    {
        Assert.True(IsRegistered<CreateWebhookCommandValidator>());
    }

    // --- name ---

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public async Task Validate_NameMissing_ErrsOnName(string? name)
    {
        var messages = await OnlyErrorOn("name", Minimal() with { Name = name });

        Assert.Contains(messages, m => m.Contains("'name'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Validate_NameOverMaxLength_ErrsOnName()
    {
        await OnlyErrorOn("name", Minimal() with { Name = new string('n', WebhookRules.NameMaxLength + 1) });
    }

    [Fact]
    public async Task Validate_NameAtMaxLength_HasNoError()
    {
        Assert.Empty(await ErrorsOf(Minimal() with { Name = new string('n', WebhookRules.NameMaxLength) }));
    }

    // --- type ---

    [Fact]
    public async Task Validate_TypeMissing_ErrsOnType()
    {
        await OnlyErrorOn("type", Minimal() with { Type = null });
    }

    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    public async Task Validate_TypeUnknown_ErrsOnType(int type)
    {
        var messages = await OnlyErrorOn("type", Minimal() with { Type = type });

        Assert.Equal(["The type is not a known webhook type (0 = document finished)."], messages);
    }

    // --- method ---

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public async Task Validate_MethodMissing_ErrsOnMethod(string? method)
    {
        await OnlyErrorOn("method", Minimal() with { Method = method });
    }

    [Theory]
    [InlineData("PATCH")]
    [InlineData("HEAD")]
    public async Task Validate_MethodNotAllowed_ErrsOnMethod(string method)
    {
        var messages = await OnlyErrorOn("method", Minimal() with { Method = method });

        Assert.Equal(["The method must be one of POST, PUT, GET, DELETE."], messages);
    }

    [Theory]
    [InlineData("post")]
    [InlineData("Delete")]
    public async Task Validate_AllowedMethodInAnyCase_HasNoError(string method)
    {
        Assert.Empty(await ErrorsOf(Minimal() with { Method = method }));
    }

    // --- url ---

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public async Task Validate_UrlMissing_ErrsOnUrl(string? url)
    {
        await OnlyErrorOn("url", Minimal() with { Url = url });
    }

    [Fact]
    public async Task Validate_UrlOverMaxLength_ErrsOnUrl()
    {
        var url = "https://example.com/:id/" + new string('a', WebhookRules.UrlMaxLength);

        await OnlyErrorOn("url", Minimal() with { Url = url });
    }

    [Theory]
    [InlineData("/ocr_feedback/:id")]
    [InlineData("ftp://localhost/ocr_feedback/:id")]
    public async Task Validate_UrlNotAbsoluteHttp_ErrsOnUrl(string url)
    {
        var messages = await OnlyErrorOn("url", Minimal() with { Url = url });

        Assert.Contains(WebhookErrors.InvalidUrl.Description, messages);
    }

    [Fact]
    public async Task Validate_UrlWithoutIdPlaceholder_ErrsOnUrl()
    {
        var messages = await OnlyErrorOn("url", Minimal() with { Url = "http://localhost:5000/ocr_feedback/" });

        Assert.Equal(["The url must contain the ':id' placeholder, where the document id is sent."], messages);
    }

    // --- headers and authorizationHeaders ---

    [Fact]
    public async Task Validate_TooManyHeaders_ErrsOnHeaders()
    {
        await OnlyErrorOn("headers", Minimal() with { Headers = Headers(WebhookRules.MaxHeaders + 1) });
    }

    [Fact]
    public async Task Validate_MaxHeaders_HasNoError()
    {
        Assert.Empty(await ErrorsOf(Minimal() with { Headers = Headers(WebhookRules.MaxHeaders) }));
    }

    [Theory]
    [InlineData("X Custom")]
    [InlineData("X-Custom:")]
    [InlineData("Ação")]
    public async Task Validate_HeaderNameNotAToken_ErrsOnHeaders(string name)
    {
        var messages = await OnlyErrorOn("headers", Minimal() with { Headers = new() { [name] = "v" } });

        Assert.Equal([$"'{name}' is not a valid header name."], messages);
    }

    [Theory]
    [InlineData("Host")]
    [InlineData("content-length")]
    [InlineData("Transfer-Encoding")]
    [InlineData("Connection")]
    [InlineData("webhook-signature")]
    public async Task Validate_ReservedHeader_ErrsOnHeaders(string name)
    {
        var messages = await OnlyErrorOn("headers", Minimal() with { Headers = new() { [name] = "v" } });

        Assert.Equal([new HeaderProblem(HeaderProblemKind.Reserved, name).Description], messages);
    }

    [Theory]
    [InlineData("a\r\nX-Injected: 1")]
    [InlineData("a\nb")]
    [InlineData(null)]
    public async Task Validate_HeaderValueNotASingleLine_ErrsOnHeaders(string? value)
    {
        await OnlyErrorOn("headers", Minimal() with { Headers = new() { ["X-Custom"] = value! } });
    }

    [Fact]
    public async Task Validate_HeadersOver8KB_ErrsOnHeaders()
    {
        var headers = new Dictionary<string, string> { ["X-Big"] = new('v', WebhookRules.MaxHeadersBytes) };

        var messages = await OnlyErrorOn("headers", Minimal() with { Headers = headers });

        Assert.Equal([$"Headers may hold at most {WebhookRules.MaxHeadersBytes} bytes."], messages);
    }

    [Fact]
    public async Task Validate_HeaderNamesDifferingOnlyInCase_ErrsOnHeaders()
    {
        await OnlyErrorOn("headers", Minimal() with { Headers = new() { ["X-Custom"] = "1", ["x-custom"] = "2" } });
    }

    [Fact]
    public async Task Validate_InvalidAuthorizationHeader_ErrsOnAuthorizationHeaders()
    {
        await OnlyErrorOn("authorizationHeaders", Seed() with { AuthorizationHeaders = new() { ["Host"] = "evil.example" } });
    }

    // --- headerAuth ---

    [Theory]
    [InlineData("Bear er")]
    [InlineData("Bearer\r\n")]
    public async Task Validate_HeaderAuthNotAScheme_ErrsOnHeaderAuth(string headerAuth)
    {
        await OnlyErrorOn("headerAuth", Minimal() with { HeaderAuth = headerAuth });
    }

    [Fact]
    public async Task Validate_HeaderAuthOverMaxLength_ErrsOnHeaderAuth()
    {
        await OnlyErrorOn("headerAuth", Minimal() with { HeaderAuth = new string('B', WebhookRules.HeaderAuthMaxLength + 1) });
    }

    // --- authorization ---

    [Fact]
    public async Task Validate_AuthorizationOverMaxLength_ErrsOnAuthorization()
    {
        await OnlyErrorOn("authorization", Minimal() with { Authorization = "Bearer " + new string('t', WebhookRules.AuthorizationMaxLength) });
    }

    [Fact]
    public async Task Validate_AuthorizationWithLineBreak_ErrsOnAuthorization()
    {
        var messages = await OnlyErrorOn("authorization", Minimal() with { Authorization = "Bearer abc\r\nX-Injected: 1" });

        Assert.Equal([WebhookErrors.InvalidAuthorization.Description], messages);
    }

    [Fact]
    public async Task Validate_AuthorizationAndAuthorizationUrl_ErrsOnAuthorization()
    {
        var messages = await OnlyErrorOn("authorization", Seed() with { Authorization = "Bearer abc" });

        Assert.Equal(["Set either authorization or authorizationUrl, not both."], messages);
    }

    // --- authorizationUrl and the token settings ---

    [Theory]
    [InlineData("/login")]
    [InlineData("ftp://auth.example.com/login")]
    public async Task Validate_AuthorizationUrlNotAbsoluteHttp_ErrsOnAuthorizationUrl(string url)
    {
        await OnlyErrorOn("authorizationUrl", Seed() with { AuthorizationUrl = url });
    }

    [Fact]
    public async Task Validate_AuthorizationUrlOverMaxLength_ErrsOnAuthorizationUrl()
    {
        await OnlyErrorOn("authorizationUrl", Seed() with { AuthorizationUrl = "https://auth.example.com/" + new string('a', WebhookRules.UrlMaxLength) });
    }

    public static TheoryData<string> TokenSettings => new() { "authorizationMethod", "authorizationHeaders", "authorizationBody", "authorizationResponseTokenAttr" };

    [Theory]
    [MemberData(nameof(TokenSettings))]
    public async Task Validate_TokenSettingWithoutAuthorizationUrl_ErrsOnAuthorizationUrl(string setting)
    {
        var command = setting switch
        {
            "authorizationMethod" => Minimal() with { AuthorizationMethod = "POST" },
            "authorizationHeaders" => Minimal() with { AuthorizationHeaders = new() { ["X-A"] = "1" } },
            "authorizationBody" => Minimal() with { AuthorizationBody = Json("""{"username": "root"}""") },
            _ => Minimal() with { AuthorizationResponseTokenAttr = "access_token" },
        };

        var messages = await OnlyErrorOn("authorizationUrl", command);

        Assert.Equal(["authorizationMethod, authorizationHeaders, authorizationBody and authorizationResponseTokenAttr need authorizationUrl."], messages);
    }

    [Fact]
    public async Task Validate_AuthorizationBodyNullWithoutAuthorizationUrl_HasNoError()
    {
        Assert.Empty(await ErrorsOf(Minimal() with { AuthorizationBody = Json("null") }));
    }

    [Theory]
    [InlineData("PATCH")]
    [InlineData("TRACE")]
    public async Task Validate_AuthorizationMethodNotAllowed_ErrsOnAuthorizationMethod(string method)
    {
        await OnlyErrorOn("authorizationMethod", Seed() with { AuthorizationMethod = method });
    }

    [Theory]
    [InlineData("\"username=root&password=root\"")]
    [InlineData("[\"root\", \"root\"]")]
    [InlineData("42")]
    [InlineData("true")]
    public async Task Validate_AuthorizationBodyNotAnObject_ErrsOnAuthorizationBody(string json)
    {
        var messages = await OnlyErrorOn("authorizationBody", Seed() with { AuthorizationBody = Json(json) });

        Assert.Equal(["The authorizationBody must be a JSON object."], messages);
    }

    [Fact]
    public async Task Validate_AuthorizationBodyOverMaxLength_ErrsOnAuthorizationBody()
    {
        var body = Json($$"""{"password": "{{new string('p', WebhookRules.AuthorizationBodyMaxLength)}}"}""");

        var messages = await OnlyErrorOn("authorizationBody", Seed() with { AuthorizationBody = body });

        Assert.Equal([$"The authorizationBody may hold at most {WebhookRules.AuthorizationBodyMaxLength} characters."], messages);
    }

    [Theory]
    [InlineData("data..token")]
    [InlineData(".token")]
    public async Task Validate_TokenAttrNotAPath_ErrsOnTokenAttr(string attr)
    {
        await OnlyErrorOn("authorizationResponseTokenAttr", Seed() with { AuthorizationResponseTokenAttr = attr });
    }

    [Fact]
    public async Task Validate_ManyWrongFields_ErrsOnEachOfThem()
    {
        var errors = await ErrorsOf(Minimal() with { Name = "", Type = 7, Method = "PATCH", Url = "http://x/" });

        Assert.Equal(["method", "name", "type", "url"], errors.Keys.Order(StringComparer.Ordinal));
    }
}
