using System.Collections.ObjectModel;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace CleanWebhooks.Delivery.Tests;

/// <summary>
/// Contract section 7, telemetry: with <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set, traces and metrics reach a real OTLP/HTTP
/// collector on 127.0.0.1; an attempt's span links to the trace of the request that reported its event; and no trace
/// header ever reaches an integrator's receiver or token URL. Spans are also kept in memory, to read their links.
/// </summary>
public sealed class TelemetryTests : DeliveryFixture
{
    private const string ServiceName = "cleanwebhooks-telemetry-test";
    private static readonly string[] TraceHeaders = ["traceparent", "tracestate", "baggage", "Request-Id", "Correlation-Context"];

    private readonly SpanList _spans = [];
    private OtlpCollector _collector = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _collector = await OtlpCollector.StartAsync();
        Factory.Settings["OTEL_EXPORTER_OTLP_ENDPOINT"] = _collector.Endpoint.ToString();
        Factory.Settings["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
        Factory.Settings["OTEL_SERVICE_NAME"] = ServiceName;
        Factory.TestServices.Add(services => services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(_spans)));
        Receiver.Respond = (request, _) => request.Path == "/login"
            ? new ReceiverAnswer(200, """{"access_token": "token-1", "expires_in": 3600}""")
            : ReceiverAnswer.Ok;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _collector.DisposeAsync();
    }

    [Fact]
    public async Task Attempt_OfAReportedEvent_LinksToTheTraceOfTheIntakeRequest()
    {
        using var integrator = await Factory.CreateIntegratorAsync();
        var webhook = await integrator.CreateWebhookAsync(Receiver.Url("/hook/:id"));
        var intakeTrace = ActivityTraceId.CreateRandom();

        var deliveryId = await ReportTracedAsync(integrator.ClientId, "doc-1", intakeTrace);
        await integrator.WaitForStatusAsync(webhook.Id(), deliveryId, "succeeded");

        var attempt = await SpanAsync(s => s.OperationName == "delivery attempt" && Equals(s.GetTagItem("cleanwebhooks.delivery.id"), deliveryId));
        Assert.Contains(attempt.Links, link => link.Context.TraceId == intakeTrace);
        Assert.NotEqual(intakeTrace, attempt.TraceId);
        Assert.Equal(default, attempt.ParentSpanId);
        Assert.Equal(1, attempt.GetTagItem("cleanwebhooks.attempt.number"));
        Assert.Equal(200, attempt.GetTagItem("http.response.status_code"));
        Assert.Contains(_spans.Snapshot(), s => s.Kind == ActivityKind.Server && s.TraceId == intakeTrace);

        // The event was written by a group commit serving many requests: its span links to each request's trace.
        var commit = await SpanAsync(s => s.OperationName == "intake commit" && s.Links.Any(l => l.Context.TraceId == intakeTrace));
        await SpanAsync(s => IsStatement(s) && s.ParentSpanId == commit.SpanId && Query(s).Contains("INSERT INTO events", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Statements_OfARequest_AreChildSpansWithTheirSqlAndNeverRoots()
    {
        using var integrator = await Factory.CreateIntegratorAsync();

        // The request is found by a trace of its own: the in-memory exporter hears every host in this process (activity
        // listeners are process-wide), and the test classes that run beside this one create webhooks too, some refused.
        var trace = ActivityTraceId.CreateRandom();
        using var create = new HttpRequestMessage(HttpMethod.Post, "/api_document/document_webhooks")
        {
            Content = JsonContent.Create(new { name = "Webhook 1", type = 0, method = "POST", url = Receiver.Url("/hook/:id") }),
        };
        create.Headers.Add("traceparent", $"00-{trace}-{ActivitySpanId.CreateRandom()}-01");
        using var created = await integrator.Http.SendAsync(create);
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var webhook = await created.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();

        var request = await SpanAsync(s => s.Kind == ActivityKind.Server && s.TraceId == trace);
        Assert.StartsWith("POST /api_document/document_webhooks", request.DisplayName, StringComparison.Ordinal);
        var insert = await SpanAsync(s => IsStatement(s) && s.TraceId == trace && Query(s).Contains("INSERT INTO webhooks", StringComparison.Ordinal));
        Assert.Equal("sqlite", insert.GetTagItem("db.system.name"));
        Assert.Equal("INSERT", insert.GetTagItem("db.operation.name"));
        Assert.DoesNotContain(Query(insert), integrator.ApiKey, StringComparison.Ordinal);

        // The dispatcher polls, claims and records all along: none of that may start a trace of its own.
        var (_, deliveryId) = await Factory.ReportAsync(integrator.ClientId, "doc-4");
        await integrator.WaitForStatusAsync(webhook.Id(), deliveryId!.Value, "succeeded");
        Assert.DoesNotContain(_spans.Snapshot(), s => IsStatement(s) && s.ParentSpanId == default);
    }

    [Fact]
    public async Task Attempt_WithTokenUrl_TracesTheTokenFetchButSendsNoTraceHeader()
    {
        using var integrator = await Factory.CreateIntegratorAsync();
        var webhook = await integrator.CreateWebhookAsync(new
        {
            name = "Webhook 1",
            type = 0,
            method = "POST",
            url = Receiver.Url("/hook/:id"),
            headerAuth = "Bearer",
            authorizationUrl = Receiver.Url("/login"),
        });

        var deliveryId = await ReportTracedAsync(integrator.ClientId, "doc-2", ActivityTraceId.CreateRandom());
        await integrator.WaitForStatusAsync(webhook.Id(), deliveryId, "succeeded");

        var received = await Receiver.WaitForAsync(2);
        Assert.Contains(received, r => r.Path == "/login");
        Assert.Contains(received, r => r.Path == "/hook/doc-2" && r.Header("Authorization") == "Bearer token-1");
        foreach (var request in received)
        {
            Assert.All(TraceHeaders, header => Assert.True(request.Header(header) is null, $"{request.Path} got {header}: {request.Header(header)}"));
        }

        var attempt = await SpanAsync(s => s.OperationName == "delivery attempt" && Equals(s.GetTagItem("cleanwebhooks.delivery.id"), deliveryId));
        var tokenFetch = await SpanAsync(s => s.OperationName == "token fetch" && s.TraceId == attempt.TraceId);
        Assert.Equal(attempt.SpanId, tokenFetch.ParentSpanId);
    }

    [Fact]
    public async Task Export_WithOtlpEndpoint_SendsSpansAndMetricsToTheCollector()
    {
        using var integrator = await Factory.CreateIntegratorAsync();
        var webhook = await integrator.CreateWebhookAsync(Receiver.Url("/hook/:id"));
        var deliveryId = await ReportTracedAsync(integrator.ClientId, "doc-3", ActivityTraceId.CreateRandom());
        await integrator.WaitForStatusAsync(webhook.Id(), deliveryId, "succeeded");
        await SpanAsync(s => s.OperationName == "delivery attempt");

        // Flushed with a generous timeout first: the flush that stopping the service makes has a short one of its own,
        // which a loaded machine (the other test classes run beside this one) could outlast. Stopping then flushes the rest.
        Assert.True(Factory.Services.GetRequiredService<TracerProvider>().ForceFlush(30_000), "The traces were not flushed within 30 s.");
        Assert.True(Factory.Services.GetRequiredService<MeterProvider>().ForceFlush(30_000), "The metrics were not flushed within 30 s.");
        await Factory.DisposeAsync();

        Assert.NotEmpty(_collector.Exports("/v1/traces"));
        Assert.True(_collector.Received("/v1/traces", ServiceName), "No export names the service.");
        Assert.True(_collector.Received("/v1/traces", "delivery attempt"), "No attempt span was exported.");
        Assert.True(_collector.Received("/v1/traces", "POST /internal/document_events"), "No server span of the intake was exported.");
        Assert.NotEmpty(_collector.Exports("/v1/metrics"));
        Assert.True(_collector.Received("/v1/metrics", "cleanwebhooks.delivery.attempts"), "The delivery meter was not exported.");
        Assert.True(_collector.Received("/v1/metrics", "http.server.request.duration"), "ASP.NET Core's metrics were not exported.");
        Assert.True(_collector.Received("/v1/metrics", "http.client.request.duration"), "HttpClient's metrics were not exported.");
    }

    private static bool IsStatement(Activity span) => span.Source.Name == "CleanWebhooks" && span.GetTagItem("db.system.name") is not null;

    private static string Query(Activity span) => span.GetTagItem("db.query.text") as string ?? "";

    [Fact]
    public async Task OutboundCalls_WithoutTraceHeaders_StillMeasureHttpClientDurations()
    {
        var receiverPort = Receiver.BaseAddress.Port;
        var measured = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument is { Meter.Name: "System.Net.Http", Name: "http.client.request.duration" })
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "server.port" && Equals(tag.Value, receiverPort))
                {
                    Interlocked.Increment(ref measured);
                }
            }
        });
        listener.Start();
        using var integrator = await Factory.CreateIntegratorAsync();
        var webhook = await integrator.CreateWebhookAsync(Receiver.Url("/hook/:id"));

        var deliveryId = await ReportTracedAsync(integrator.ClientId, "doc-5", ActivityTraceId.CreateRandom());
        await integrator.WaitForStatusAsync(webhook.Id(), deliveryId, "succeeded");

        Assert.True(Volatile.Read(ref measured) >= 1, "No http.client.request.duration for the call to the receiver.");
    }

    /// <summary>Reports an event as a caller inside trace <paramref name="trace"/> would (with its <c>traceparent</c>).</summary>
    private async Task<Guid> ReportTracedAsync(Guid clientId, string documentId, ActivityTraceId trace)
    {
        using var admin = Factory.CreateInternalClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/internal/document_events")
        {
            Content = JsonContent.Create(new { clientId, documentId, type = 0 }),
        };
        request.Headers.Add("traceparent", $"00-{trace}-{ActivitySpanId.CreateRandom()}-01");
        using var response = await admin.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        return body.GetProperty("deliveryId").GetGuid();
    }

    /// <summary>Waits for an exported span (a span is exported when it ends, which may be after the outcome is visible).</summary>
    private async Task<Activity> SpanAsync(Func<Activity, bool> match)
    {
        // Generous: on a loaded machine a span can end seconds after the answer that it measured.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            if (_spans.Snapshot().FirstOrDefault(match) is { } span)
            {
                return span;
            }

            Assert.True(DateTime.UtcNow < deadline, "No such span; exported: " + string.Join(", ", _spans.Snapshot().Select(s => $"{s.DisplayName} [{s.OperationName} {s.Kind} {s.Source.Name} trace {s.TraceId} span {s.SpanId} parent {s.ParentSpanId}]")));
            await Task.Delay(50);
        }
    }

    /// <summary>The in-memory exporter adds from the exporting thread while the test reads.</summary>
    private sealed class SpanList : Collection<Activity>
    {
        public Activity[] Snapshot()
        {
            lock (Items)
            {
                return [.. Items];
            }
        }

        protected override void InsertItem(int index, Activity item)
        {
            lock (Items)
            {
                base.InsertItem(index, item);
            }
        }
    }
}
