namespace CleanWebhooks.Delivery.Tests;

/// <summary>
/// Contract section 12: with <c>Delivery:Proxy</c> every delivery and token call goes through a real forward proxy on
/// 127.0.0.1 (absolute-form for http). The proxy only ever connects to loopback and answers anything else itself.
/// </summary>
public sealed class OutboundProxyTests : DeliveryFixture
{
    private readonly ForwardProxy _proxy = ForwardProxy.Start();

    public OutboundProxyTests() => Factory.Settings["Delivery:Proxy"] = _proxy.Address.ToString();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _proxy.DisposeAsync();
    }

    [Fact]
    public async Task Proxy_DeliveryAndTokenCall_GoThroughItInAbsoluteForm()
    {
        Receiver.Respond = (request, _) => request.Path == "/login" ? new ReceiverAnswer(200, """{"access_token": "t1"}""") : ReceiverAnswer.Ok;
        using var integrator = await Factory.CreateIntegratorAsync();
        var webhook = await integrator.CreateWebhookAsync(new
        {
            name = "w",
            type = 0,
            method = "POST",
            headerAuth = "Bearer",
            url = Receiver.Url("/hook/:id"),
            authorizationUrl = Receiver.Url("/login"),
        });

        var (_, deliveryId) = await Factory.ReportAsync(integrator.ClientId, "d1");

        await integrator.WaitForStatusAsync(webhook.Id(), deliveryId!.Value, "succeeded");
        Assert.Equal(
            [new ProxiedRequest("POST", Receiver.Url("/login")), new ProxiedRequest("POST", Receiver.Url("/hook/d1"))],
            _proxy.Requests);
        Assert.Equal(["/login", "/hook/d1"], Receiver.Requests.Select(r => r.Path));
        Assert.Equal("Bearer t1", Receiver.Requests[1].Header("Authorization"));
    }
}

/// <summary>
/// The address guard still judges each destination as the service resolves it, before anything reaches the proxy;
/// the proxy's own address (loopback here) is exempt. Resolution-only: the public destination below is a literal
/// address the proxy answers itself, so no traffic leaves the machine.
/// </summary>
public sealed class OutboundProxyGuardTests : DeliveryFixture
{
    private readonly ForwardProxy _proxy = ForwardProxy.Start();

    public OutboundProxyGuardTests()
    {
        Factory.Settings["Delivery:Proxy"] = _proxy.Address.ToString();
        Factory.Settings["Delivery:AllowPrivateNetworks"] = "false";
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _proxy.DisposeAsync();
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    [InlineData("[::ffff:127.0.0.1]")]
    public async Task PrivateDestination_RefusedBeforeTheProxySeesIt(string host)
    {
        using var integrator = await Factory.CreateIntegratorAsync();
        var webhook = await integrator.CreateWebhookAsync($"http://{host}:{Receiver.BaseAddress.Port}/hook/:id");

        var (_, deliveryId) = await Factory.ReportAsync(integrator.ClientId, "d1");

        var delivery = await integrator.WaitForStatusAsync(webhook.Id(), deliveryId!.Value, "failed");
        Assert.All(delivery.GetProperty("attempts").EnumerateArray(), a => Assert.Equal("blocked_address", a.GetProperty("error").GetString()));
        Assert.Empty(_proxy.Requests);
        Assert.Empty(Receiver.Requests);
    }

    [Fact]
    public async Task PrivateTokenUrl_RefusedBeforeTheProxySeesIt()
    {
        using var integrator = await Factory.CreateIntegratorAsync();
        var webhook = await integrator.CreateWebhookAsync(new
        {
            name = "w",
            type = 0,
            method = "POST",
            url = "http://8.8.8.8/hook/:id",
            authorizationUrl = Receiver.Url("/login"),
        });

        var (_, deliveryId) = await Factory.ReportAsync(integrator.ClientId, "d1");

        var delivery = await integrator.WaitForStatusAsync(webhook.Id(), deliveryId!.Value, "failed");
        Assert.Equal("blocked_address", delivery.GetProperty("attempts")[0].GetProperty("error").GetString());
        Assert.Empty(_proxy.Requests);
    }

    [Fact]
    public async Task PublicDestination_GoesToTheProxyWhoseOwnLoopbackAddressIsExempt()
    {
        using var integrator = await Factory.CreateIntegratorAsync();
        var webhook = await integrator.CreateWebhookAsync("http://8.8.8.8/hook/:id");

        var (_, deliveryId) = await Factory.ReportAsync(integrator.ClientId, "d1");

        var delivery = await integrator.WaitForStatusAsync(webhook.Id(), deliveryId!.Value, "succeeded");
        Assert.Equal([new ProxiedRequest("POST", "http://8.8.8.8/hook/d1")], _proxy.Requests);
        Assert.Equal(ForwardProxy.LocalAnswer, delivery.GetProperty("attempts")[0].GetProperty("responseExcerpt").GetString());
    }
}
