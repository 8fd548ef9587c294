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
    [InlineData("::ffff:0:127.0.0.1")]            // IPv4-translated (::ffff:0:0:0/96)
    [InlineData("::ffff:0:169.254.169.254")]
    [InlineData("::ffff:0:8.8.8.8")]              // not routable whatever it embeds
    [InlineData("::127.0.0.1")]                   // IPv4-compatible (deprecated)
    [InlineData("::8.8.8.8")]
    [InlineData("64:ff9b:1::8.8.8.8")]            // local-use NAT64, 64:ff9b:1::/48
    [InlineData("64:ff9b:1:ffff::1")]
    [InlineData("64:ff9b:0:0:1::808:808")]        // in 64:ff9b::/32 but not the /96
    [InlineData("100::")]                         // discard-only, 100::/64
    [InlineData("100::ffff:ffff:ffff:ffff")]
    [InlineData("100:0:0:1::1")]                  // dummy prefix
    [InlineData("2001::")]                        // 2001::/23 IETF protocol assignments
    [InlineData("2001:0:ffff::1")]                // Teredo
    [InlineData("2001:1::4")]                     // 2001:1::/32 beyond the three anycast addresses
    [InlineData("2001:2::1")]                     // benchmarking
    [InlineData("2001:2:0:ffff::1")]
    [InlineData("2001:10::1")]                    // ORCHID (deprecated)
    [InlineData("2001:1ff:ffff::1")]              // last of 2001::/23
    [InlineData("2001:db8:ffff::1")]              // documentation
    [InlineData("3fff::1")]                       // documentation, 3fff::/20
    [InlineData("3fff:fff:ffff::1")]
    [InlineData("5f00::1")]                       // SRv6 SIDs
    [InlineData("5f00:ffff::1")]
    [InlineData("fec0::1")]                       // site-local (deprecated)
    [InlineData("ff0e::1")]                       // global-scope multicast
    [InlineData("4000::1")]                       // outside 2000::/3, unassigned
    [InlineData("1000::1")]
    [InlineData("2002:c0a8:101::1")]              // 6to4 of 192.168.1.1
    [InlineData("2002:6464:101::1")]              // 6to4 of 100.100.1.1 (CGNAT)
    [InlineData("64:ff9b::10.1.2.3")]             // NAT64 of a private address
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
    [InlineData("::ffff:1.1.1.1")]
    [InlineData("2001:1::1")]                     // PCP anycast: globally reachable part of 2001::/23
    [InlineData("2001:1::2")]                     // TURN anycast
    [InlineData("2001:1::3")]                     // DNS-SD SRP anycast
    [InlineData("2001:3::1")]                     // AMT
    [InlineData("2001:4:112::1")]                 // AS112-v6
    [InlineData("2001:20::1")]                    // ORCHIDv2
    [InlineData("2001:2f:ffff::1")]
    [InlineData("2001:30::1")]                    // drone remote ID
    [InlineData("2001:200::1")]                   // first address after 2001::/23
    [InlineData("2001:4860:4860::8888")]
    [InlineData("2001:db9::1")]                   // next to documentation
    [InlineData("2620:4f:8000::1")]               // AS112 direct delegation
    [InlineData("2a00:1450:4001::1")]
    [InlineData("3ffe::1")]
    [InlineData("3fff:1000::1")]                  // first address after 3fff::/20
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
