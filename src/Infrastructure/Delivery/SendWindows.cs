using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Domain.Webhooks;

namespace CleanWebhooks.Infrastructure.Delivery;

/// <summary>
/// This node's send windows (contract section 5, "Flow control": windows are kept per node): for each webhook with
/// recent attempts, its <see cref="SendWindow"/> and its attempts in flight here. The claim asks it for each webhook's
/// share (<see cref="Share"/>); an attempt's start and end move it. A webhook with nothing in flight and no attempt
/// for <see cref="IdleAfter"/> is forgotten, so that what is kept grows with the webhooks that are sending, not with
/// all of them; it starts again from the initial window, as TCP does after an idle period.
/// </summary>
public sealed class SendWindows(DeliveryPolicy policy, TimeProvider clock)
{
    public static readonly TimeSpan IdleAfter = TimeSpan.FromMinutes(5);

    private readonly Dictionary<WebhookId, Entry> _entries = [];
    private long _nextSweep = clock.GetTimestamp();

    private sealed class Entry(SendWindow window)
    {
        public SendWindow Window { get; } = window;

        public int InFlight { get; set; }

        public long LastEnded { get; set; }

        /// <summary>The last attempt that ended here failed: new deliveries go through the claim, which applies the breaker.</summary>
        public bool LastFailed { get; set; }
    }

    /// <summary>Webhooks currently tracked on this node.</summary>
    public int Count
    {
        get
        {
            lock (_entries)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>The webhook's window on this node (within its limits) and its attempts in flight here.</summary>
    public NodeShare Share(WebhookId webhookId, WebhookLimits limits)
    {
        var cap = policy.WindowCap(limits);
        lock (_entries)
        {
            return _entries.TryGetValue(webhookId, out var entry)
                ? new NodeShare(entry.Window.Size(cap), entry.InFlight)
                : new NodeShare(Math.Min(policy.InitialWindow, cap), 0);
        }
    }

    /// <summary>
    /// A place in the webhook's window for one attempt handed off by the intake, when there is room (it counts as
    /// started from now on); false when the window is full, or when the last attempt that ended here failed: the
    /// webhook's stored health may not show that failure yet, and the claim, which writes outcomes before it claims,
    /// applies the breaker to it.
    /// </summary>
    public bool TryReserve(WebhookId webhookId, WebhookLimits limits)
    {
        var cap = policy.WindowCap(limits);
        lock (_entries)
        {
            if (!_entries.TryGetValue(webhookId, out var entry))
            {
                entry = new Entry(policy.NewWindow());
                _entries[webhookId] = entry;
            }

            if (entry.LastFailed || entry.InFlight >= entry.Window.Size(cap))
            {
                return false;
            }

            entry.InFlight++;
            return true;
        }
    }

    /// <summary>An attempt of the webhook was handed to a sender.</summary>
    public void Started(WebhookId webhookId)
    {
        lock (_entries)
        {
            if (!_entries.TryGetValue(webhookId, out var entry))
            {
                entry = new Entry(policy.NewWindow());
                _entries[webhookId] = entry;
            }

            entry.InFlight++;
        }
    }

    /// <summary>
    /// An attempt of the webhook ended (or a reserved place was given back unused); <paramref name="signal"/> is what it
    /// told of the receiver, <paramref name="failed"/> whether it was an attempt that failed.
    /// </summary>
    public void Ended(WebhookId webhookId, ReceiverSignal signal, WebhookLimits limits, bool failed = false)
    {
        var now = clock.GetTimestamp();
        lock (_entries)
        {
            if (_entries.TryGetValue(webhookId, out var entry))
            {
                entry.InFlight--;
                entry.LastEnded = now;
                entry.Window.Observe(signal, policy.WindowCap(limits));
                entry.LastFailed = failed || (entry.LastFailed && signal != ReceiverSignal.Accepted);
            }

            if (now >= _nextSweep)
            {
                ForgetIdle(now);
            }
        }
    }

    private void ForgetIdle(long now)
    {
        var idle = (long)(IdleAfter.TotalSeconds * clock.TimestampFrequency);
        foreach (var (id, entry) in _entries)
        {
            if (entry.InFlight == 0 && now - entry.LastEnded >= idle)
            {
                _entries.Remove(id);
            }
        }

        _nextSweep = now + (idle / 4);
    }
}
