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
/// Keeps deliveries and token calls off internal networks (SSRF). It is the connect step of the one outbound
/// handler: it resolves the host itself, refuses any non-public address, and connects to the address it vetted,
/// so there is no window for DNS to answer differently between the check and the connection.
/// </summary>
public sealed class OutboundAddressGuard(bool allowPrivateNetworks)
{
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken);

        var allowed = allowPrivateNetworks ? addresses : [.. addresses.Where(IsPublic)];
        if (allowed.Length == 0)
        {
            throw new BlockedAddressException(host);
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

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

            // Forms that carry an IPv4 address inside: judged by that address.
            if (IsPrefix(b, 0x00, 0x64, 0xff, 0x9b) && b.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0)
            {
                return IsPublic(new IPAddress(b.AsSpan(12, 4)));              // 64:ff9b::/96 NAT64
            }

            if (b[0] == 0x20 && b[1] == 0x02)
            {
                return IsPublic(new IPAddress(b.AsSpan(2, 4)));               // 2002::/16 6to4
            }

            var embedsIpv4 = b.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0;  // ::a.b.c.d (deprecated compatible form)
            return !(IPAddress.IsLoopback(address)
                || address.Equals(IPAddress.IPv6Any)
                || address.IsIPv6LinkLocal
                || address.IsIPv6SiteLocal
                || address.IsIPv6Multicast
                || (b[0] & 0xFE) == 0xFC                                     // fc00::/7 unique local
                || IsPrefix(b, 0x00, 0x64, 0xff, 0x9b)                       // 64:ff9b:1::/48 local-use NAT64, and the rest of 64:ff9b::/32
                || IsPrefix(b, 0x20, 0x01, 0x00, 0x00)                       // 2001::/32 Teredo
                || IsPrefix(b, 0x20, 0x01, 0x0d, 0xb8)                       // 2001:db8::/32 documentation
                || (IsPrefix(b, 0x01, 0x00, 0x00, 0x00) && b.AsSpan(4, 4).IndexOfAnyExcept((byte)0) < 0) // 100::/64 discard
                || embedsIpv4);
        }

        return false;
    }

    private static bool IsPrefix(byte[] bytes, byte b0, byte b1, byte b2, byte b3) =>
        bytes[0] == b0 && bytes[1] == b1 && bytes[2] == b2 && bytes[3] == b3;
}
