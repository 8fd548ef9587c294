using CleanWebhooks.Domain.Common;

namespace CleanWebhooks.Domain.Webhooks;

/// <summary>
/// The integrator's own limits on what its receiver gets (contract section 5, "The integrator's own limits"): at most
/// <see cref="MaxInFlight"/> requests at once and at most <see cref="MaxPerSecond"/> requests started in any one
/// second, across all nodes. Null is no limit.
/// </summary>
public sealed record WebhookLimits
{
    public const int MaxInFlightCeiling = 64;
    public const int MaxPerSecondCeiling = 1000;

    /// <summary>
    /// The margin in the spacing of start slots: they are (1 s + this) / maxPerSecond apart, so that maxPerSecond of
    /// them span more than a second by this much. It absorbs a start up to <see cref="StartTolerance"/> late, and what
    /// is left absorbs the network's jitter on the way to the receiver. It costs 5 % of the rate.
    /// </summary>
    public static readonly TimeSpan StartSlack = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// How late after its slot a request may still start. A request that cannot start by then is not made (its delivery
    /// goes back to the queue for a new slot), so that no second ever holds one start too many.
    /// </summary>
    public static readonly TimeSpan StartTolerance = TimeSpan.FromMilliseconds(25);

    /// <summary>How far ahead a rate-limited webhook's start slots are handed out: its deliveries wait at most this long in a node.</summary>
    public static readonly TimeSpan SlotHorizon = TimeSpan.FromMilliseconds(250);

    public static readonly WebhookLimits None = new(null, null);

    private WebhookLimits(int? maxInFlight, int? maxPerSecond)
    {
        MaxInFlight = maxInFlight;
        MaxPerSecond = maxPerSecond;
    }

    public int? MaxInFlight { get; }

    public int? MaxPerSecond { get; }

    /// <summary>The limits an integrator asks for, each checked against its range.</summary>
    public static Result<WebhookLimits> Create(int? maxInFlight, int? maxPerSecond)
    {
        if (maxInFlight is < 1 or > MaxInFlightCeiling)
        {
            return WebhookErrors.InvalidMaxInFlight;
        }

        if (maxPerSecond is < 1 or > MaxPerSecondCeiling)
        {
            return WebhookErrors.InvalidMaxPerSecond;
        }

        return new WebhookLimits(maxInFlight, maxPerSecond);
    }

    /// <summary>Limits as they were stored (valid when they were).</summary>
    public static WebhookLimits Restore(int? maxInFlight, int? maxPerSecond) => new(maxInFlight, maxPerSecond);

    /// <summary>The time between two starts under <see cref="MaxPerSecond"/>; null without a rate limit.</summary>
    public TimeSpan? StartSpacing => MaxPerSecond is { } perSecond
        ? TimeSpan.FromTicks((TimeSpan.TicksPerSecond + StartSlack.Ticks + perSecond - 1) / perSecond)
        : null;

    /// <summary>
    /// How many start slots are free between <paramref name="now"/> and the slot horizon, given the next free slot
    /// <paramref name="nextStartAt"/> (null: none taken yet); unbounded (<see cref="int.MaxValue"/>) without a rate limit.
    /// </summary>
    public int FreeStarts(DateTimeOffset? nextStartAt, DateTimeOffset now)
    {
        if (StartSpacing is not { } spacing)
        {
            return int.MaxValue;
        }

        var first = FirstStart(nextStartAt, now);
        var horizon = now + SlotHorizon;
        return first > horizon ? 0 : 1 + (int)((horizon - first).Ticks / spacing.Ticks);
    }

    /// <summary>
    /// The start times of <paramref name="count"/> requests from the next free slot on, and the next free slot after
    /// them (what the database keeps, so that every node spaces its starts from the same clock of slots).
    /// </summary>
    public (DateTimeOffset First, TimeSpan Spacing, DateTimeOffset? NextStartAt) Starts(DateTimeOffset? nextStartAt, DateTimeOffset now, int count)
    {
        if (StartSpacing is not { } spacing)
        {
            return (now, TimeSpan.Zero, null);
        }

        var first = FirstStart(nextStartAt, now);
        return (first, spacing, count > 0 ? first + (spacing * count) : nextStartAt);
    }

    /// <summary>When the claim may next find a free slot: <see cref="SlotHorizon"/> before it.</summary>
    public static DateTimeOffset NextLookForSlot(DateTimeOffset nextStartAt) => nextStartAt - SlotHorizon;

    private static DateTimeOffset FirstStart(DateTimeOffset? nextStartAt, DateTimeOffset now) =>
        nextStartAt is { } next && next > now ? next : now;
}
