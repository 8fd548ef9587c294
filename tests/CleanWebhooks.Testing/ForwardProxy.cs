using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace CleanWebhooks.Testing;

/// <summary>What the proxy was asked: the method and the request target (absolute-form, or <c>host:port</c> for CONNECT).</summary>
public sealed record ProxiedRequest(string Method, string Target);

/// <summary>
/// A real HTTP forward proxy on 127.0.0.1: absolute-form requests are forwarded (one per connection) and <c>CONNECT</c>
/// opens a tunnel. It records every request it sees. It connects only to loopback addresses: a request for any other
/// destination is answered by the proxy itself (<c>200 from-proxy</c>, or <c>403</c> for a CONNECT), so nothing a
/// test sends through it ever leaves the machine.
/// </summary>
public sealed class ForwardProxy : IAsyncDisposable
{
    public const string LocalAnswer = "from-proxy";

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentQueue<ProxiedRequest> _requests = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    private ForwardProxy()
    {
        _listener.Start();
        _accepting = Task.Run(AcceptAsync);
    }

    public Uri Address => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    public IReadOnlyList<ProxiedRequest> Requests => [.. _requests];

    public static ForwardProxy Start() => new();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var downstream = client.GetStream();
                var (head, rest) = await ReadHeadAsync(downstream);
                if (head is null)
                {
                    return;
                }

                var lines = head.Split("\r\n");
                var requestLine = lines[0].Split(' ');
                var (method, target) = (requestLine[0], requestLine[1]);
                _requests.Enqueue(new ProxiedRequest(method, target));
                if (method == "CONNECT")
                {
                    await TunnelAsync(downstream, target, rest);
                }
                else
                {
                    await ForwardAsync(downstream, method, new Uri(target), lines, rest);
                }
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
            {
                // A peer went away: the test sees it from its own side.
            }
        }
    }

    private async Task TunnelAsync(NetworkStream downstream, string authority, byte[] rest)
    {
        var separator = authority.LastIndexOf(':');
        var (host, port) = (authority[..separator].Trim('[', ']'), int.Parse(authority[(separator + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        if (!IsLoopback(host))
        {
            await WriteAsync(downstream, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
            return;
        }

        using var upstream = new TcpClient();
        await upstream.ConnectAsync(host, port, _stop.Token);
        await WriteAsync(downstream, "HTTP/1.1 200 Connection Established\r\n\r\n");
        var up = upstream.GetStream();
        await up.WriteAsync(rest, _stop.Token);
        await PipeAsync(downstream, up);
    }

    private async Task ForwardAsync(NetworkStream downstream, string method, Uri target, string[] lines, byte[] rest)
    {
        if (!IsLoopback(target.Host))
        {
            await WriteAsync(downstream, $"HTTP/1.1 200 OK\r\nContent-Length: {LocalAnswer.Length}\r\nConnection: close\r\n\r\n{LocalAnswer}");
            return;
        }

        using var upstream = new TcpClient();
        await upstream.ConnectAsync(target.Host, target.Port, _stop.Token);
        var head = new StringBuilder($"{method} {target.PathAndQuery} HTTP/1.1\r\n");
        foreach (var line in lines.Skip(1).Where(l => l.Length > 0))
        {
            var name = line[..line.IndexOf(':', StringComparison.Ordinal)];
            if (!name.Equals("Connection", StringComparison.OrdinalIgnoreCase) && !name.Equals("Proxy-Connection", StringComparison.OrdinalIgnoreCase))
            {
                head.Append(line).Append("\r\n");
            }
        }

        // One request per connection, so that every request passes here and is recorded.
        head.Append("Connection: close\r\n\r\n");
        var up = upstream.GetStream();
        await WriteAsync(up, head.ToString());
        await up.WriteAsync(rest, _stop.Token);
        await PipeAsync(downstream, up);
    }

    private async Task PipeAsync(Stream a, Stream b)
    {
        var ab = a.CopyToAsync(b, _stop.Token);
        var ba = b.CopyToAsync(a, _stop.Token);
        await Task.WhenAny(ab, ba);
    }

    private async Task WriteAsync(Stream stream, string text) => await stream.WriteAsync(Encoding.ASCII.GetBytes(text), _stop.Token);

    /// <summary>The request line and headers, and whatever bytes came after them.</summary>
    private async Task<(string? Head, byte[] Remainder)> ReadHeadAsync(Stream stream)
    {
        var buffer = new byte[64 * 1024];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(length), _stop.Token);
            if (read == 0)
            {
                return (null, []);
            }

            length += read;
            var end = buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                return (Encoding.ASCII.GetString(buffer, 0, end), buffer[(end + 4)..length]);
            }
        }

        return (null, []);
    }

    private static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
}
