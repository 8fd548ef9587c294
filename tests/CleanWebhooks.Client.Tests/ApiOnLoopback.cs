namespace CleanWebhooks.Client.Tests;

/// <summary>
/// The shared <see cref="ApiFactory"/> served by Kestrel on a free loopback port, for code that builds its own
/// <see cref="HttpClient"/> from a URL (as the documented snippet does) and for real socket behaviour.
/// </summary>
public sealed class ApiOnLoopback : IDisposable
{
    public ApiOnLoopback()
    {
        Factory.UseKestrel(0);
        Factory.StartServer();
        using var http = Factory.CreateClient();
        ServiceUrl = http.BaseAddress ?? throw new InvalidOperationException("The server has no address.");
    }

    public ApiFactory Factory { get; } = new();

    /// <summary>The root URL of the running service, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri ServiceUrl { get; }

    public void Dispose() => Factory.Dispose();
}
