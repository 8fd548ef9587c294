namespace CleanWebhooks.Delivery.Tests;

public sealed class AuthorizationTests : DeliveryFixture
{
    [Fact]
    public async Task FixedAuthorization_SentAsIs()
    {
        using var integrator = await Factory.CreateIntegratorAsync();
        await integrator.CreateWebhookAsync(Receiver.Url("/hook/:id"), authorization: "Bearer fixed-abc");

        await Factory.ReportAsync(integrator.ClientId, "d1");

        var call = (await Receiver.WaitForAsync(1))[0];
        Assert.Equal("Bearer fixed-abc", call.Header("Authorization"));
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("DELETE")]
    public async Task BodylessMethods_SendNoBody(string method)
    {
        using var integrator = await Factory.CreateIntegratorAsync();
        await integrator.CreateWebhookAsync(Receiver.Url("/hook/:id"), method);

        await Factory.ReportAsync(integrator.ClientId, "d1", new { pages = 1 });

        var call = (await Receiver.WaitForAsync(1))[0];
        Assert.Equal(method, call.Method);
        Assert.Equal("/hook/d1", call.Path);
        Assert.Equal("", call.Body);
        Assert.Null(call.Header("Content-Type"));
        Assert.NotNull(call.Header("webhook-signature"));
    }

    [Fact]
    public async Task ReceiverAnswers401_TokenRefreshedOnceAndResent()
    {
        var tokensIssued = 0;
        Receiver.Respond = (request, _) => request.Path switch
        {
            "/login" => new ReceiverAnswer(200, $$$"""{"data": {"token": "t{{{Interlocked.Increment(ref tokensIssued)}}}"}}"""),
            _ when request.Header("Authorization") == "t1" => new ReceiverAnswer(401),
            _ => ReceiverAnswer.Ok,
        };
        using var integrator = await Factory.CreateIntegratorAsync();
        var webhook = await integrator.CreateWebhookAsync(new
        {
            name = "w",
            type = 0,
            method = "PUT",
            url = Receiver.Url("/hook/:id"),
            authorizationUrl = Receiver.Url("/login"),
            authorizationBody = new { user = "u" },
            authorizationResponseTokenAttr = "data.token",
        });

        var (_, deliveryId) = await Factory.ReportAsync(integrator.ClientId, "d1");

        var delivery = await integrator.WaitForStatusAsync(webhook.Id(), deliveryId!.Value, "succeeded");
        var paths = Receiver.Requests.Select(r => $"{r.Path} {r.Header("Authorization")}").ToList();
        Assert.Equal(["/login ", "/hook/d1 t1", "/login ", "/hook/d1 t2"], paths);
        Assert.Equal("""{"user":"u"}""", Receiver.Requests[0].Body);
        Assert.Equal(1, delivery.GetProperty("attemptCount").GetInt32());
    }

    [Fact]
    public async Task TokenServerDown_NothingSentAndAttemptRecorded()
    {
        Receiver.Respond = (request, _) => request.Path == "/login" ? new ReceiverAnswer(503) : ReceiverAnswer.Ok;
        using var integrator = await Factory.CreateIntegratorAsync();
        var webhook = await integrator.CreateWebhookAsync(new
        {
            name = "w",
            type = 0,
            method = "POST",
            url = Receiver.Url("/hook/:id"),
            authorizationUrl = Receiver.Url("/login"),
        });

        var (_, deliveryId) = await Factory.ReportAsync(integrator.ClientId, "d1");

        var delivery = await integrator.WaitForStatusAsync(webhook.Id(), deliveryId!.Value, "failed");
        Assert.All(Receiver.Requests, r => Assert.Equal("/login", r.Path));
        Assert.All(delivery.GetProperty("attempts").EnumerateArray(), a => Assert.Equal("token_unavailable", a.GetProperty("error").GetString()));
        Assert.Equal(3, delivery.GetProperty("attemptCount").GetInt32());
    }
}

/// <summary>
/// A token server under an attacker's control answers with a token that would split the Authorization header and
/// smuggle a second request onto the connection. Nothing may reach the receiver.
/// </summary>
public sealed class PoisonedTokenTests : DeliveryFixture
{
    private LoopbackReceiver _tokenServer = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _tokenServer = await LoopbackReceiver.StartAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _tokenServer.DisposeAsync();
    }

    [Theory]
    [InlineData("""{"access_token": "abc\r\nX-Injected: yes"}""")]
    [InlineData("""{"access_token": "abc\r\nContent-Length: 0\r\n\r\nGET /SMUGGLED HTTP/1.1\r\nHost: victim\r\nX-Padding: x"}""")]
    [InlineData("""{"access_token": "abc\u0000def"}""")]
    [InlineData("""{"access_token": "t\u00f4ken"}""")]
    public async Task TokenThatIsNotAHeaderValue_NothingSentNotCachedTokenUnavailable(string tokenAnswer)
    {
        _tokenServer.Respond = (_, _) => new ReceiverAnswer(200, tokenAnswer, new Dictionary<string, string> { ["Content-Type"] = "application/json" });
        using var integrator = await Factory.CreateIntegratorAsync();
        var webhook = await integrator.CreateWebhookAsync(new
        {
            name = "w",
            type = 0,
            method = "POST",
            headerAuth = "Bearer",
            url = Receiver.Url("/hook/:id"),
            authorizationUrl = _tokenServer.Url("/login"),
        });

        var (_, deliveryId) = await Factory.ReportAsync(integrator.ClientId, "d1");

        var delivery = await integrator.WaitForStatusAsync(webhook.Id(), deliveryId!.Value, "failed");
        var attempts = delivery.GetProperty("attempts").EnumerateArray().ToList();
        Assert.Equal(3, attempts.Count);
        Assert.All(attempts, a => Assert.Equal("token_unavailable", a.GetProperty("error").GetString()));
        Assert.Empty(Receiver.Requests);

        // Not cached: every attempt asked the token server again.
        Assert.Equal(3, _tokenServer.Requests.Count);
    }

    [Fact]
    public async Task GoodTokenAfterPoisonedOne_DeliveredWithIt()
    {
        _tokenServer.Respond = (_, count) => count == 0
            ? new ReceiverAnswer(200, """{"access_token": "abc\r\nX-Injected: yes"}""")
            : new ReceiverAnswer(200, """{"access_token": "clean-token"}""");
        using var integrator = await Factory.CreateIntegratorAsync();
        var webhook = await integrator.CreateWebhookAsync(new
        {
            name = "w",
            type = 0,
            method = "POST",
            headerAuth = "Bearer",
            url = Receiver.Url("/hook/:id"),
            authorizationUrl = _tokenServer.Url("/login"),
        });

        var (_, deliveryId) = await Factory.ReportAsync(integrator.ClientId, "d1");

        await integrator.WaitForStatusAsync(webhook.Id(), deliveryId!.Value, "succeeded");
        var call = Assert.Single(Receiver.Requests);
        Assert.Equal("Bearer clean-token", call.Header("Authorization"));
        Assert.Null(call.Header("X-Injected"));
    }
}
