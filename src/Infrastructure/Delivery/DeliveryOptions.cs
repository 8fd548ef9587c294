using CleanWebhooks.Application.Common.Settings;
using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Domain.Webhooks;

namespace CleanWebhooks.Infrastructure.Delivery;

/// <summary>The <c>Delivery</c> configuration section.</summary>
public sealed class DeliveryOptions : ISettingsSection
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

    /// <summary>
    /// Attempts in flight at once in this process, whatever their webhooks: a bound that protects the process (each
    /// costs a socket and a little memory), far above what the send windows of healthy webhooks need. When it is
    /// reached, what frees up goes first to the webhooks holding the least.
    /// </summary>
    public int MaxConcurrency { get; set; } = 1024;

    /// <summary>Deliveries claimed by one turn of the dispatcher.</summary>
    public int BatchSize { get; set; } = 64;

    /// <summary>
    /// The largest <see cref="BatchSize"/>: a claimed batch is loaded with one parameter per delivery, and SQL Server
    /// refuses a statement with more than 2,100 parameters. Kept on every engine, so that a setting that works on
    /// SQLite keeps working when the service moves to SQL Server.
    /// </summary>
    public const int MaxBatchSize = 2000;

    /// <summary>A webhook's send window on a node until its receiver answers <c>2xx</c> (it grows from there).</summary>
    public int InitialWindow { get; set; } = DeliveryPolicy.Default.InitialWindow;

    /// <summary>The largest send window: attempts of one webhook in flight at once on one node.</summary>
    public int MaxPerWebhook { get; set; } = DeliveryPolicy.Default.MaxPerWebhook;

    /// <summary>Consecutive failed attempts of a webhook that open its circuit breaker.</summary>
    public int BreakerFailures { get; set; } = DeliveryPolicy.Default.Health.BreakerFailures;

    /// <summary>How long an open breaker holds a webhook's deliveries at first; it doubles while the webhook keeps failing.</summary>
    public TimeSpan BreakerPause { get; set; } = DeliveryPolicy.Default.Health.BreakerPause;

    /// <summary>The longest pause of an open breaker.</summary>
    public TimeSpan BreakerMaxPause { get; set; } = DeliveryPolicy.Default.Health.BreakerMaxPause;

    /// <summary>A webhook whose attempts have all failed for this long (from the first failure after its last success) is disabled.</summary>
    public TimeSpan DisableAfter { get; set; } = DeliveryPolicy.Default.Health.DisableAfter;

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

    /// <summary>The delivery rules these settings make (see <see cref="DeliveryPolicy"/>).</summary>
    public DeliveryPolicy Policy() =>
        new(InitialWindow, MaxPerWebhook, new EndpointHealthPolicy(BreakerFailures, BreakerPause, BreakerMaxPause, DisableAfter), Lease);

    /// <summary>Each setting that cannot work, named by its key: the service does not start with any (rather than failing at the first claim).</summary>
    public IEnumerable<string> Problems()
    {
        string?[] problems =
        [
            BatchSize is < 1 or > MaxBatchSize
                ? $"Delivery:BatchSize must be from 1 to {MaxBatchSize} (got {BatchSize}): a claimed batch is loaded with one parameter " +
                  "per delivery, and SQL Server accepts at most 2,100 parameters in a statement."
                : null,
            SettingsSections.AtLeast("Delivery:MaxConcurrency", MaxConcurrency, 1),
            SettingsSections.AtLeast("Delivery:InitialWindow", InitialWindow, 1),
            SettingsSections.AtLeast("Delivery:MaxPerWebhook", MaxPerWebhook, 1),
            SettingsSections.AtLeast("Delivery:BreakerFailures", BreakerFailures, 1),
            SettingsSections.Positive("Delivery:Timeout", Timeout),
            SettingsSections.Positive("Delivery:PollInterval", PollInterval),
            SettingsSections.Positive("Delivery:QueueDepthInterval", QueueDepthInterval),
            SettingsSections.Positive("Delivery:BreakerPause", BreakerPause),
            SettingsSections.Positive("Delivery:DisableAfter", DisableAfter),
            BreakerMaxPause < BreakerPause
                ? $"Delivery:BreakerMaxPause ({BreakerMaxPause}) cannot be shorter than Delivery:BreakerPause ({BreakerPause})."
                : null,
            TokenCacheSeconds < 0 ? $"Delivery:TokenCacheSeconds cannot be negative (got {TokenCacheSeconds})." : null,
            LeaseDuration is { } lease && lease <= Timeout
                ? $"Delivery:LeaseDuration ({lease}) must be longer than Delivery:Timeout ({Timeout}): a lease that ends while its attempt " +
                  "runs lets another claim send the same delivery at the same time."
                : null,
            Proxy is { } proxy && (!proxy.IsAbsoluteUri || proxy.Scheme != Uri.UriSchemeHttp || proxy.UserInfo.Length > 0
                || proxy.AbsolutePath != "/" || proxy.Query.Length > 0 || proxy.Fragment.Length > 0)
                ? $"Delivery:Proxy must be an http forward proxy as http://host:port, without credentials or a path (got '{proxy.GetLeftPart(UriPartial.Scheme)}...')."
                : null,
            .. (RetrySchedule ?? []).Select((wait, i) => wait < TimeSpan.Zero ? $"Delivery:RetrySchedule:{i} cannot be negative (got {wait})." : null),
        ];
        return problems.OfType<string>();
    }

    public RetrySchedule Schedule() => RetrySchedule is { } waits ? new RetrySchedule(waits) : Domain.Deliveries.RetrySchedule.Default;
}
