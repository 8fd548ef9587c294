using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CleanWebhooks.Testing;

/// <summary>
/// A real OTLP/HTTP collector (Kestrel on 127.0.0.1, protocol <c>http/protobuf</c>): it keeps the body of every export
/// posted to <c>/v1/traces</c>, <c>/v1/metrics</c> and <c>/v1/logs</c> and answers 200 as a collector does. The protobuf
/// is not decoded: span, metric and service names travel as plain UTF-8 strings inside it.
/// </summary>
public sealed class OtlpCollector : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(string Path, byte[] Body)> _exports = new();

    private OtlpCollector(WebApplication app) => _app = app;

    public Uri Endpoint { get; private set; } = null!;

    public static async Task<OtlpCollector> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var collector = new OtlpCollector(app);
        app.Run(collector.HandleAsync);
        await app.StartAsync();
        collector.Endpoint = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return collector;
    }

    /// <summary>The non-empty exports posted to <paramref name="path"/> (e.g. <c>/v1/traces</c>).</summary>
    public IReadOnlyList<byte[]> Exports(string path) => [.. _exports.Where(e => e.Path == path && e.Body.Length > 0).Select(e => e.Body)];

    /// <summary>True when some export to <paramref name="path"/> contains <paramref name="text"/> (as UTF-8).</summary>
    public bool Received(string path, string text)
    {
        var needle = Encoding.UTF8.GetBytes(text);
        return Exports(path).Any(body => body.AsSpan().IndexOf(needle) >= 0);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        if (!HttpMethods.IsPost(context.Request.Method) || context.Request.ContentType != "application/x-protobuf")
        {
            context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return;
        }

        _exports.Enqueue((context.Request.Path.Value ?? "", body.ToArray()));
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/x-protobuf";
    }
}
