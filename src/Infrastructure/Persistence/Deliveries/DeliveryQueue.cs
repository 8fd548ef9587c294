using System.Data.Common;
using CleanWebhooks.Application.Deliveries.AttemptDelivery;
using CleanWebhooks.Domain.Common;
using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Domain.Webhooks;
using Dapper;

namespace CleanWebhooks.Infrastructure.Persistence.Deliveries;

/// <summary>
/// The dispatcher's side of the queue. A dispatcher's turn is one transaction: the outcomes of its ended attempts are
/// written (with what they mean for their webhooks' health), then due deliveries are claimed with a lease, as
/// <see cref="ClaimRule"/> decides, from the webhooks that have due work only (<c>webhooks.due_at</c>). Any number of
/// dispatchers share the work without sending a delivery twice while its lease holds; a dead dispatcher's leases expire
/// and its work goes to the others.
/// </summary>
internal sealed partial class DeliveryQueue(Database database, DeliveryPolicy policy, TimeProvider clock) : IDeliveryQueue
{
    /// <summary>The statements every engine runs as written (see <see cref="Database.Sql(string)"/>).</summary>
    private static partial class Portable
    {
        public const string CountPending = "SELECT COUNT(*) FROM deliveries WHERE status = 'pending';";

        // The webhooks first (their due marker), then the leases, in one transaction (see ReleaseAsync).
        public const string ReleaseWebhooks =
            "UPDATE webhooks SET due_at = @Now, waits_for_room = 0 WHERE disabled_at IS NULL AND id IN (" +
            "SELECT webhook_id FROM deliveries WHERE locked_by LIKE @OwnerPattern AND status = 'pending');";

        public const string Release =
            "UPDATE deliveries SET locked_by = NULL, lease_until = NULL, next_attempt_at = @Now WHERE locked_by LIKE @OwnerPattern AND status = 'pending';";
    }

    public async Task<DispatchTurn> TurnAsync(IReadOnlyList<DeliveryOutcome> outcomes, ClaimRequest? claim, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        if (outcomes.Count == 0 && claim is null)
        {
            return DispatchTurn.Empty;
        }

        await using var writer = await database.OpenWriterAsync(cancellationToken, WriteDurability.Relaxed);
        await using var transaction = await writer.Connection.BeginTransactionAsync(cancellationToken);
        // One time for the whole turn: a webhook the outcomes make due now is due for this turn's claim.
        var now = (claim?.Now ?? clock.GetUtcNow()).TruncatedToMicroseconds();
        var (recorded, changes) = outcomes.Count == 0 ? ([], []) : await RecordAsync(writer, transaction, outcomes, now, cancellationToken);
        var (claimed, webhooks, wakeAt) = claim is null ? ([], [], null) : await ClaimAsync(writer, transaction, claim, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new DispatchTurn(recorded, changes, claimed, webhooks, wakeAt);
    }

    public async Task ReleaseAsync(string dispatcher, CancellationToken cancellationToken)
    {
        var parameters = new { OwnerPattern = dispatcher + "-%", Now = clock.GetUtcNow() };
        await using var writer = await database.OpenWriterAsync(cancellationToken, WriteDurability.Relaxed);
        await using var transaction = await writer.Connection.BeginTransactionAsync(cancellationToken);
        await Execute(writer.Connection, transaction, database.Sql(Portable.ReleaseWebhooks), parameters, cancellationToken);
        await Execute(writer.Connection, transaction, database.Sql(Portable.Release), parameters, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<long> CountPendingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            database.Sql(Portable.CountPending), cancellationToken: cancellationToken));
    }

    private static Task<int> Execute(DbConnection connection, DbTransaction transaction, string sql, object parameters, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(sql, parameters, transaction, cancellationToken: cancellationToken));
}
