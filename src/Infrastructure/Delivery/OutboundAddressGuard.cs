using System.Net;
using System.Net.Sockets;

namespace CleanWebhooks.Infrastructure.Delivery;

/// <summary>An outbound call was refused because its host resolves to a non-public address.</summary>
public sealed class BlockedAddressException : Exception
{
    public BlockedAddressException()
        : base("The host resolves to an address that outbound calls may not reach.")
    {
    }

    public BlockedAddressException(string host)
        : base($"'{host}' resolves to an address that outbound calls may not reach.")
    {
    }

    public BlockedAddressException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Keeps deliveries and token calls off internal networks (SSRF). Without a proxy it is the connect step of the one
/// outbound handler: it resolves the host itself, refuses any non-public address, and connects to the address it
/// vetted, so there is no window for DNS to answer differently between the check and the connection. With a proxy
/// (<c>Delivery:Proxy</c>) the handler connects only to the proxy, whose own address is exempt, and the destination is
/// judged the same way by <see cref="ProxiedDestinationCheck"/> before the request is handed to the proxy.
/// </summary>
public sealed class OutboundAddressGuard(bool allowPrivateNetworks, Uri? proxy = null)
{
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var endpoint = context.DnsEndPoint;
        var addresses = IsProxy(endpoint)
            ? await ResolveAsync(endpoint.Host, cancellationToken)
            : await AllowedAddressesAsync(endpoint.Host, cancellationToken);

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, endpoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The addresses of <paramref name="host"/> that outbound calls may reach, as the service resolves it; throws
    /// <see cref="BlockedAddressException"/> when there is none.
    /// </summary>
    public async ValueTask<IPAddress[]> AllowedAddressesAsync(string host, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        var addresses = await ResolveAsync(host, cancellationToken);
        var allowed = allowPrivateNetworks ? addresses : [.. addresses.Where(IsPublic)];
        return allowed.Length > 0 ? allowed : throw new BlockedAddressException(host);
    }

    private bool IsProxy(DnsEndPoint endpoint) =>
        proxy is not null && endpoint.Port == proxy.Port && string.Equals(endpoint.Host, proxy.IdnHost, StringComparison.OrdinalIgnoreCase);

    private static async ValueTask<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
        IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);

    /// <summary>False for loopback, private, link-local, CGNAT, multicast, unspecified, reserved and their IPv4-mapped forms.</summary>
    public static bool IsPublic(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return !(b[0] == 0                                  // 0.0.0.0/8 "this network", unspecified
                || b[0] == 10                                   // 10/8
                || b[0] == 127                                  // loopback
                || (b[0] == 100 && (b[1] & 0xC0) == 64)         // 100.64/10 carrier-grade NAT
                || (b[0] == 169 && b[1] == 254)                 // link-local, cloud metadata
                || (b[0] == 172 && (b[1] & 0xF0) == 16)         // 172.16/12
                || (b[0] == 192 && b[1] == 168)                 // 192.168/16
                || (b[0] == 192 && b[1] == 0 && b[2] is 0 or 2) // 192.0.0/24 IETF protocol assignments, 192.0.2/24 TEST-NET-1
                || (b[0] == 192 && b[1] == 88 && b[2] == 99)    // 192.88.99/24 6to4 relay anycast
                || (b[0] == 198 && b[1] == 51 && b[2] == 100)   // 198.51.100/24 TEST-NET-2
                || (b[0] == 203 && b[1] == 0 && b[2] == 113)    // 203.0.113/24 TEST-NET-3
                || (b[0] == 198 && (b[1] & 0xFE) == 18)         // 198.18/15 benchmarking
                || b[0] >= 224);                                // multicast, reserved, broadcast
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var b = address.GetAddressBytes();
            foreach (var block in Ipv6Blocks)
            {
                if (block.Contains(b))
                {
                    return block.EmbeddedIpv4At is { } offset
                        ? IsPublic(new IPAddress(b.AsSpan(offset, 4)))
                        : block.GloballyReachable;
                }
            }

            return false;
        }

        return false;
    }

    /// <summary>
    /// The IPv6 decision table, most specific block first; the first block that holds an address decides. Only
    /// global unicast (2000::/3) is public, less the IANA special-purpose blocks that are not globally reachable
    /// (https://www.iana.org/assignments/iana-ipv6-special-registry). Forms that carry an IPv4 address are judged
    /// by that address. Anything in no block — ::/128, ::1, ::/96 compatible, ::ffff:0:0:0/96 translated,
    /// 64:ff9b:1::/48, 100::/64, 5f00::/16, fc00::/7, fe80::/10, fec0::/10, ff00::/8 — is refused.
    /// </summary>
    internal static readonly IReadOnlyList<Ipv6Block> Ipv6Blocks =
    [
        new("::ffff:0:0", 96, EmbeddedIpv4At: 12),      // IPv4-mapped
        new("64:ff9b::", 96, EmbeddedIpv4At: 12),       // NAT64 well-known prefix
        new("2002::", 16, EmbeddedIpv4At: 2),           // 6to4
        new("2001:1::1", 128, GloballyReachable: true), // Port Control Protocol anycast
        new("2001:1::2", 128, GloballyReachable: true), // TURN anycast
        new("2001:1::3", 128, GloballyReachable: true), // DNS-SD Service Registration Protocol anycast
        new("2001:3::", 32, GloballyReachable: true),   // AMT
        new("2001:4:112::", 48, GloballyReachable: true), // AS112-v6
        new("2001:20::", 28, GloballyReachable: true),  // ORCHIDv2
        new("2001:30::", 28, GloballyReachable: true),  // Drone Remote ID entity tags
        new("2001::", 23),                              // IETF protocol assignments: Teredo, benchmarking, ORCHID, ...
        new("2001:db8::", 32),                          // documentation
        new("3fff::", 20),                              // documentation
        new("2000::", 3, GloballyReachable: true),      // global unicast
    ];

    /// <summary>One row of <see cref="Ipv6Blocks"/>: a prefix and what it means for an outbound call.</summary>
    internal sealed record Ipv6Block(string Prefix, int Length, bool GloballyReachable = false, int? EmbeddedIpv4At = null)
    {
        private readonly byte[] _prefix = IPAddress.Parse(Prefix).GetAddressBytes();

        public bool Contains(byte[] address)
        {
            var full = Length / 8;
            if (!address.AsSpan(0, full).SequenceEqual(_prefix.AsSpan(0, full)))
            {
                return false;
            }

            var rest = Length % 8;
            if (rest == 0)
            {
                return true;
            }

            var mask = 0xFF << (8 - rest) & 0xFF;
            return (address[full] & mask) == (_prefix[full] & mask);
        }
    }
}
