using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace CleanWebhooks.Bench;

/// <summary>
/// A .NET program run by the bench in its own process (the service, or the baseline server), with its output in a
/// log file. Every child is killed when its owner disposes it, and any left over when the bench exits.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<int, Process> Living = new();
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Lock _logLock = new();
    private bool _logClosed;

    static ChildProcess() => AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();

    private ChildProcess(string name, Process process, StreamWriter log, Uri baseAddress)
    {
        Name = name;
        _process = process;
        _log = log;
        BaseAddress = baseAddress;
    }

    public string Name { get; }

    public Uri BaseAddress { get; }

    public int Id => _process.Id;

    public string LogPath { get; private init; } = "";

    /// <summary>Runs <c>dotnet <paramref name="dll"/></c> with <paramref name="environment"/> added to this process's own.</summary>
    public static ChildProcess Start(
        string name, string dll, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, int port, string logPath)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Settings inherited from whoever ran the bench must not change where or how the child listens.
        foreach (var inherited in new[] { "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "DOTNET_URLS", "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT" })
        {
            start.Environment.Remove(inherited);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var log = new StreamWriter(logPath, append: true) { AutoFlush = true }; // a service started again on its folder adds to its log
        var process = new Process { StartInfo = start };
        var child = new ChildProcess(name, process, log, new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}")) { LogPath = logPath };
        process.OutputDataReceived += (_, e) => child.Write(e.Data);
        process.ErrorDataReceived += (_, e) => child.Write(e.Data);
        process.Start();
        Living[process.Id] = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>A free TCP port on 127.0.0.1 for a child to listen on.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>Polls <paramref name="path"/> until it answers 2xx; fails if the process exits or the time runs out.</summary>
    public async Task WaitReadyAsync(HttpClient http, string path, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with code {_process.ExitCode} while starting.{Environment.NewLine}{LogTail()}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(BaseAddress, path), cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(50, cancellationToken);
        }

        throw new TimeoutException($"{Name} was not ready within {timeout.TotalSeconds:0} s.{Environment.NewLine}{LogTail()}");
    }

    /// <summary>A field of <c>/proc/&lt;pid&gt;/status</c> in megabytes (<c>VmHWM</c>: peak resident set; <c>VmRSS</c>: now).</summary>
    public double? MemoryMb(string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{_process.Id.ToString(CultureInfo.InvariantCulture)}/status"))
            {
                if (line.StartsWith(field + ":", StringComparison.Ordinal))
                {
                    var kb = long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                    return kb / 1024.0;
                }
            }
        }
        catch (IOException)
        {
            // Not Linux, or the process is gone.
        }
        catch (UnauthorizedAccessException)
        {
        }

        return null;
    }

    /// <summary>
    /// CPU seconds the process has used so far, user plus system (<see cref="ProcFs.CpuSeconds"/>). Unlike a rate, CPU
    /// per unit of work barely moves with other load on the machine. Null when not on Linux or the process is gone.
    /// </summary>
    public double? CpuSeconds() => ProcFs.CpuSeconds(_process.Id);

    public string LogTail(int lines = 30)
    {
        lock (_logLock)
        {
            if (!_logClosed)
            {
                _log.Flush();
            }
        }

        try
        {
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var all = reader.ReadToEnd().Split('\n');
            return $"--- last lines of {LogPath} ---{Environment.NewLine}{string.Join('\n', all.TakeLast(lines))}";
        }
        catch (IOException)
        {
            return $"(no log at {LogPath})";
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill(_process);
        using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            try
            {
                await _process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                // Killed but not reaped in time: nothing more to do from here.
            }
        }

        Living.TryRemove(_process.Id, out _);
        _process.Dispose();
        lock (_logLock)
        {
            _logClosed = true;
            _log.Dispose();
        }
    }

    private void Write(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_logLock)
        {
            if (!_logClosed)
            {
                _log.WriteLine(line);
            }
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private static void KillAll()
    {
        foreach (var process in Living.Values)
        {
            Kill(process);
        }
    }

    /// <summary>The <c>dotnet</c> muxer that runs this process, else the one on the PATH.</summary>
    private static string DotnetHost()
    {
        if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            return self;
        }

        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
        {
            return host;
        }

        if (Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } root && File.Exists(Path.Combine(root, "dotnet")))
        {
            return Path.Combine(root, "dotnet");
        }

        return "dotnet";
    }
}
