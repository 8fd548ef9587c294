using System.Net;
using CleanWebhooks.Infrastructure.Delivery;

namespace CleanWebhooks.Delivery.Tests;

public sealed class OutboundAddressGuardTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.255.0.9")]
    [InlineData("10.0.0.1")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")]
    [InlineData("100.64.0.1")]
    [InlineData("100.127.255.255")]
    [InlineData("0.0.0.0")]
    [InlineData("224.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("::1")]
    [InlineData("::")]
    [InlineData("fe80::1")]
    [InlineData("fc00::1")]
    [InlineData("fd12:3456::1")]
    [InlineData("ff02::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("64:ff9b::a9fe:a9fe")]
    [InlineData("64:ff9b::7f00:1")]
    [InlineData("64:ff9b:1::1")]
    [InlineData("2002:7f00:1::")]
    [InlineData("2002:a00:1::1")]
    [InlineData("2001:0:4136:e378::1")]
    [InlineData("2001:db8::1")]
    [InlineData("192.0.2.1")]
    [InlineData("198.51.100.7")]
    [InlineData("203.0.113.9")]
    public void IsPublic_NonPublicAddress_False(string address) =>
        Assert.False(OutboundAddressGuard.IsPublic(IPAddress.Parse(address)));

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("1.1.1.1")]
    [InlineData("172.32.0.1")]
    [InlineData("100.128.0.1")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::808:808")]
    [InlineData("2002:808:808::1")]
    public void IsPublic_PublicAddress_True(string address) =>
        Assert.True(OutboundAddressGuard.IsPublic(IPAddress.Parse(address)));
}

/// <summary>
/// With private networks not allowed, every spelling of a loopback host is refused before any connection: the
/// receiver listening there never hears from us. (Only loopback hosts are used end to end, so a broken guard could
/// never send traffic off this machine; other ranges are covered above.)
/// </summary>
public sealed class SsrfTests : DeliveryFixture
{
    public SsrfTests() => Factory.Settings["Delivery:AllowPrivateNetworks"] = "false";

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    [InlineData("[::1]")]
    [InlineData("[::ffff:127.0.0.1]")]
    [InlineData("2130706433")]
    [InlineData("127.1")]
    public async Task LoopbackHost_RefusedWithoutConnection(string host)
    {
        using var integrator = await Factory.CreateIntegratorAsync();
        var webhook = await integrator.CreateWebhookAsync($"http://{host}:{Receiver.BaseAddress.Port}/hook/:id");

        var (_, deliveryId) = await Factory.ReportAsync(integrator.ClientId, "d1");

        var delivery = await integrator.WaitForStatusAsync(webhook.Id(), deliveryId!.Value, "failed");
        Assert.All(delivery.GetProperty("attempts").EnumerateArray(), a => Assert.Equal("blocked_address", a.GetProperty("error").GetString()));
        Assert.Empty(Receiver.Requests);
    }

    [Fact]
    public async Task TokenUrlOnLoopback_RefusedAndNothingSent()
    {
        using var integrator = await Factory.CreateIntegratorAsync();
        var webhook = await integrator.CreateWebhookAsync(new
        {
            name = "w",
            type = 0,
            method = "POST",
            url = "http://127.0.0.1:9/hook/:id",
            authorizationUrl = Receiver.Url("/login"),
        });

        var (_, deliveryId) = await Factory.ReportAsync(integrator.ClientId, "d1");

        var delivery = await integrator.WaitForStatusAsync(webhook.Id(), deliveryId!.Value, "failed");
        Assert.Equal("blocked_address", delivery.GetProperty("attempts")[0].GetProperty("error").GetString());
        Assert.Empty(Receiver.Requests);
    }
}
