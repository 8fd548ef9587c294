namespace CleanWebhooks.Domain.Deliveries;

/// <summary>
/// When to try again: the waits between attempts after the first (which is immediate). Its length + 1 is the
/// number of attempts. Each wait is jittered by ±20 % so that receivers recovering from an outage are not hit
/// by every retry at once.
/// </summary>
public sealed class RetrySchedule
{
    public const double Jitter = 0.2;

    /// <summary>A <c>Retry-After</c> longer than this is not believed: the delivery would look lost.</summary>
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromHours(6);

    public static readonly RetrySchedule Default = new([
        TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2),
        TimeSpan.FromHours(5), TimeSpan.FromHours(10), TimeSpan.FromHours(10)]);

    public RetrySchedule(IReadOnlyList<TimeSpan> waits)
    {
        ArgumentNullException.ThrowIfNull(waits);
        if (waits.Any(w => w < TimeSpan.Zero))
        {
            throw new ArgumentException("Waits cannot be negative.", nameof(waits));
        }

        Waits = [.. waits];
    }

    public IReadOnlyList<TimeSpan> Waits { get; }

    public int MaxAttempts => Waits.Count + 1;

    /// <summary>
    /// When attempt <paramref name="attemptsMade"/> + 1 is due, or null when the schedule has ended.
    /// <paramref name="unit"/> is a number in [0, 1) that places the jitter.
    /// </summary>
    public DateTimeOffset? NextAttemptAt(int attemptsMade, DateTimeOffset now, double unit, TimeSpan? retryAfter = null)
    {
        if (attemptsMade >= MaxAttempts || attemptsMade < 1)
        {
            return null;
        }

        var wait = Waits[attemptsMade - 1] * (1 - Jitter + (2 * Jitter * unit));
        if (retryAfter is { } asked && asked > wait)
        {
            wait = asked < MaxRetryAfter ? asked : MaxRetryAfter;
        }

        return now + wait;
    }
}
