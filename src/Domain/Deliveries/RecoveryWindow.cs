using CleanWebhooks.Domain.Common;

namespace CleanWebhooks.Domain.Deliveries;

/// <summary>Which failed deliveries a recovery takes: those created in [<see cref="Since"/>, <see cref="Until"/>).</summary>
public sealed record RecoveryWindow
{
    private RecoveryWindow(DateTimeOffset since, DateTimeOffset until)
    {
        Since = since;
        Until = until;
    }

    public DateTimeOffset Since { get; }

    public DateTimeOffset Until { get; }

    public static Result<RecoveryWindow> Create(DateTimeOffset since, DateTimeOffset until) =>
        since < until ? new RecoveryWindow(since, until) : DeliveryErrors.EmptyRecoveryWindow;

    public bool Contains(DateTimeOffset createdAt) => Since <= createdAt && createdAt < Until;
}
