using System.Threading.RateLimiting;
using CleanWebhooks.Api.Http;
using CleanWebhooks.Application.Common.Localization;

namespace CleanWebhooks.Api.RateLimiting;

/// <summary>
/// Counts failed authentications (an unknown or revoked key) per remote address, with the framework's fixed-window
/// limiter: past <c>RateLimiting:FailedAuthPerMinute</c> in a minute, the address's further unknown keys get 429 instead
/// of 401, so keys cannot be guessed at thousands per second. Only failures are counted, so a valid key from the same
/// address is never affected.
/// </summary>
public sealed class FailedAuthentications : IDisposable
{
    private static readonly object ThrottledKey = new();

    private readonly PartitionedRateLimiter<string>? _limiter;

    public FailedAuthentications(RateLimitingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.LimitsFailedAuth)
        {
            var permits = options.FailedAuthPerMinute;
            _limiter = PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.GetFixedWindowLimiter(
                address,
                _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
        }
    }

    /// <summary>
    /// Records a failed authentication of <paramref name="context"/>'s remote address. Returns false when the address
    /// is over its limit: the challenge then answers 429 (see <see cref="ChallengeAsync"/>).
    /// </summary>
    public bool Record(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_limiter is null)
        {
            return true;
        }

        using var lease = _limiter.AttemptAcquire(AddressOf(context));
        if (lease.IsAcquired)
        {
            return true;
        }

        context.Items[ThrottledKey] = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromMinutes(1);
        return false;
    }

    /// <summary>
    /// True when <paramref name="context"/>'s remote address is already over its limit: its next unknown key gets 429,
    /// so the key need not be looked up unless it may exist at all.
    /// </summary>
    public bool IsThrottled(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return _limiter?.GetStatistics(AddressOf(context)) is { CurrentAvailablePermits: <= 0 };
    }

    /// <summary>The answer to a request that failed authentication: 401, or 429 when its address is throttled.</summary>
    public static Task ChallengeAsync(HttpContext context, string unauthorizedDetail)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Items.TryGetValue(ThrottledKey, out var value) && value is TimeSpan retryAfter
            ? Problems.WriteTooManyRequestsAsync(context, retryAfter, ProblemTexts.TooManyFailedAuthentications.ToString(),
                "too_many_failed_authentications")
            : Problems.WriteUnauthorizedAsync(context, unauthorizedDetail);
    }

    public void Dispose() => _limiter?.Dispose();

    private static string AddressOf(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "";
}
