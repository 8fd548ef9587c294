using System.Diagnostics.Metrics;

namespace CleanWebhooks.Infrastructure.Delivery;

/// <summary>The delivery engine's instruments (meter <c>CleanWebhooks.Delivery</c>).</summary>
public sealed class DeliveryMetrics
{
    public const string MeterName = "CleanWebhooks.Delivery";

    private readonly Counter<long> _succeeded;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _attempts;
    private readonly Histogram<double> _attemptDuration;
    private readonly Counter<long> _tokenFetches;
    private readonly Counter<long> _handedOff;
    private readonly Counter<long> _breakerOpened;
    private readonly Counter<long> _webhooksDisabled;
    private long _queueDepth;

    public DeliveryMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _succeeded = meter.CreateCounter<long>("cleanwebhooks.deliveries.succeeded", description: "Deliveries that reached their receiver.");
        _failed = meter.CreateCounter<long>("cleanwebhooks.deliveries.failed", description: "Deliveries given up (schedule ended or 410 Gone).");
        _attempts = meter.CreateCounter<long>("cleanwebhooks.delivery.attempts", description: "Attempts made, by outcome.");
        _attemptDuration = meter.CreateHistogram<double>("cleanwebhooks.delivery.attempt.duration", "ms", "How long an attempt took.");
        _tokenFetches = meter.CreateCounter<long>("cleanwebhooks.delivery.token_fetches", description: "Calls to integrators' token URLs.");
        _handedOff = meter.CreateCounter<long>(
            "cleanwebhooks.delivery.handed_off", description: "New deliveries written leased to their intake's node and sent at once, with no claim.");
        _breakerOpened = meter.CreateCounter<long>("cleanwebhooks.webhooks.breaker_opened", description: "Times a webhook's circuit breaker opened.");
        _webhooksDisabled = meter.CreateCounter<long>("cleanwebhooks.webhooks.disabled", description: "Webhooks disabled because every attempt failed for Delivery:DisableAfter.");
        meter.CreateObservableGauge("cleanwebhooks.delivery.queue_depth", () => Interlocked.Read(ref _queueDepth), description: "Pending deliveries, as last counted.");
    }

    public void Attempted(string outcome, double durationMs)
    {
        _attempts.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
        _attemptDuration.Record(durationMs);
    }

    public void Succeeded() => _succeeded.Add(1);

    public void Failed() => _failed.Add(1);

    public void BreakerOpened() => _breakerOpened.Add(1);

    public void WebhookDisabled() => _webhooksDisabled.Add(1);

    public void TokenFetched() => _tokenFetches.Add(1);

    public void HandedOff() => _handedOff.Add(1);

    public void QueueDepth(long pending) => Interlocked.Exchange(ref _queueDepth, pending);
}
