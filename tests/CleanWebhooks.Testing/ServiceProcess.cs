using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Xunit;

namespace CleanWebhooks.Testing;

/// <summary>
/// The real service binary built with the tests, started as a child process: another node that a test can kill with
/// SIGKILL. Production environment, listening on 127.0.0.1 only, private receivers allowed, warnings logged.
/// </summary>
public static class ServiceProcess
{
    /// <summary>A loopback port that was free when asked.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>The address of a node listening on <paramref name="port"/>.</summary>
    public static Uri AddressOf(int port) => new($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>
    /// Starts the service on <paramref name="port"/> (0: any) with <paramref name="settings"/> as environment variables
    /// (configuration keys written with <c>__</c>); each line it writes goes to <paramref name="onLine"/>.
    /// </summary>
    public static Process Start(int port, IEnumerable<(string Key, string Value)> settings, Action<string>? onLine = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var api = typeof(Program).Assembly.Location;
        var start = new ProcessStartInfo("dotnet", [api])
        {
            WorkingDirectory = Path.GetDirectoryName(api)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var inherited in new[] { "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "DOTNET_URLS" })
        {
            start.Environment.Remove(inherited);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Urls"] = AddressOf(port).ToString().TrimEnd('/');
        start.Environment["Delivery__AllowPrivateNetworks"] = "true";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => Forward(e.Data);
        process.ErrorDataReceived += (_, e) => Forward(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;

        void Forward(string? line)
        {
            if (line is not null)
            {
                onLine?.Invoke(line);
            }
        }
    }

    /// <summary>
    /// Waits up to 60 s for the node at <paramref name="address"/> to answer <c>/health/ready</c>; fails, with
    /// <paramref name="describe"/>'s words, when it exits or does not get ready.
    /// </summary>
    public static async Task WaitReadyAsync(HttpClient http, Uri address, Process process, Func<string> describe)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(process);
        ArgumentNullException.ThrowIfNull(describe);
        var deadline = Stopwatch.GetTimestamp() + (60 * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            Assert.False(process.HasExited, $"The service process exited while starting: {describe()}");
            try
            {
                using var response = await http.GetAsync(new Uri(address, "/health/ready"));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        Assert.Fail($"The service process was not ready within 60 s: {describe()}");
    }
}
