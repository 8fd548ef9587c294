using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Domain.Webhooks;

namespace CleanWebhooks.Infrastructure.Delivery;

/// <summary>The <c>Delivery</c> configuration section.</summary>
public sealed class DeliveryOptions
{
    public const string SectionName = "Delivery";

    /// <summary>Let outbound calls reach loopback and private networks (Development and tests only).</summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>Run the dispatcher in this process; off on API-only nodes.</summary>
    public bool DispatcherEnabled { get; set; } = true;

    /// <summary>
    /// The waits between attempts after the first. Null means <see cref="Domain.Deliveries.RetrySchedule.Default"/>:
    /// starting empty matters, because configuration binding appends to a list that already has items.
    /// </summary>
#pragma warning disable CA1819, CA2227 // Bound from configuration.
    public TimeSpan[]? RetrySchedule { get; set; }
#pragma warning restore CA1819, CA2227

    /// <summary>Per outbound request (delivery or token call).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Deliveries sent at once by one dispatcher.</summary>
    public int MaxConcurrency { get; set; } = 64;

    /// <summary>Deliveries claimed by one statement.</summary>
    public int BatchSize { get; set; } = 64;

    /// <summary>
    /// The largest <see cref="BatchSize"/>: a claimed batch is loaded with one parameter per delivery, and SQL Server
    /// refuses a statement with more than 2,100 parameters. Kept on every engine, so that a setting that works on
    /// SQLite keeps working when the service moves to SQL Server.
    /// </summary>
    public const int MaxBatchSize = 2000;

    /// <summary>
    /// Attempts of one webhook in flight at once: a webhook whose receiver hangs holds at most this many send slots,
    /// and the claim leaves its other due deliveries for later, so other webhooks' deliveries go out meanwhile.
    /// </summary>
    public int MaxPerWebhook { get; set; } = 4;

    /// <summary>Consecutive failed attempts of a webhook that open its circuit breaker.</summary>
    public int BreakerFailures { get; set; } = 5;

    /// <summary>How long an open breaker holds a webhook's deliveries at first; it doubles while the webhook keeps failing.</summary>
    public TimeSpan BreakerPause { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The longest pause of an open breaker.</summary>
    public TimeSpan BreakerMaxPause { get; set; } = TimeSpan.FromHours(1);

    /// <summary>A webhook whose attempts have all failed for this long (from the first failure after its last success) is disabled.</summary>
    public TimeSpan DisableAfter { get; set; } = TimeSpan.FromDays(5);

    /// <summary>How often to look for due deliveries when nothing wakes the dispatcher.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the dispatcher counts pending deliveries for the queue-depth gauge (apart from its claim loop).</summary>
    public TimeSpan QueueDepthInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// An HTTP forward proxy (<c>http://host:port</c>) that every delivery and token call goes through, so that receivers
    /// see fixed egress addresses; none by default. Alerts go direct.
    /// </summary>
    public Uri? Proxy { get; set; }

    /// <summary>The certificate presented to receivers and token endpoints that ask for one (mutual TLS); none by default.</summary>
    public ClientCertificateOptions ClientCertificate { get; set; } = new();

    /// <summary>How long a token is kept when its answer has no <c>expires_in</c>.</summary>
    public int TokenCacheSeconds { get; set; } = 300;

    /// <summary>
    /// How long a claimed delivery stays with its dispatcher. By default longer than the slowest attempt (a token
    /// call, a send and a resend), so a live dispatcher never loses its work; a dead one's leases expire after it.
    /// </summary>
    public TimeSpan? LeaseDuration { get; set; }

    public TimeSpan Lease => LeaseDuration ?? ((Timeout * 3) + TimeSpan.FromSeconds(30));

    public EndpointHealthPolicy HealthPolicy() => new(BreakerFailures, BreakerPause, BreakerMaxPause, DisableAfter);

    /// <summary>Throws when a setting cannot work, at start-up rather than at the first claim.</summary>
    public DeliveryOptions Validated()
    {
        if (BatchSize is < 1 or > MaxBatchSize)
        {
            throw new InvalidOperationException(
                $"Delivery:BatchSize must be from 1 to {MaxBatchSize} (got {BatchSize}): a claimed batch is loaded with one parameter " +
                "per delivery, and SQL Server accepts at most 2,100 parameters in a statement.");
        }

        if (MaxConcurrency < 1 || MaxPerWebhook < 1)
        {
            throw new InvalidOperationException(
                $"Delivery:MaxConcurrency and Delivery:MaxPerWebhook must be at least 1 (got {MaxConcurrency} and {MaxPerWebhook}).");
        }

        if (Proxy is { } proxy && (!proxy.IsAbsoluteUri || proxy.Scheme != Uri.UriSchemeHttp || proxy.UserInfo.Length > 0
            || proxy.AbsolutePath != "/" || proxy.Query.Length > 0 || proxy.Fragment.Length > 0))
        {
            throw new InvalidOperationException(
                $"Delivery:Proxy must be an http forward proxy as http://host:port, without credentials or a path (got '{proxy.GetLeftPart(UriPartial.Scheme)}...').");
        }

        return this;
    }

    public RetrySchedule Schedule() => RetrySchedule is { } waits ? new RetrySchedule(waits) : Domain.Deliveries.RetrySchedule.Default;
}
