using Microsoft.Data.Sqlite;

namespace CleanWebhooks.Bench;

/// <summary>Rows of one table and the bytes it takes with its indexes (null where the engine does not say).</summary>
internal sealed record TableSize(long Rows, long? Bytes);

/// <summary>
/// What the service stores for its deliveries: events, deliveries and delivery_attempts, each with its indexes, and
/// their sum per delivery (<c>bytesPerDelivery</c>): the figure to multiply by the deliveries kept for the retention
/// period. <c>source</c> says how it was measured.
/// </summary>
internal sealed record StorageResult(string Source, TableSize Events, TableSize Deliveries, TableSize DeliveryAttempts, long Bytes, double? BytesPerDelivery)
{
    public static StorageResult Of(string source, TableSize events, TableSize deliveries, TableSize attempts)
    {
        var bytes = (events.Bytes ?? 0) + (deliveries.Bytes ?? 0) + (attempts.Bytes ?? 0);
        return new StorageResult(source, events, deliveries, attempts, bytes, deliveries.Rows > 0 ? Math.Round(bytes / (double)deliveries.Rows, 1) : null);
    }

    /// <summary>
    /// The same in a SQLite file, read through the WAL, so that committed rows count before a checkpoint. SQLite's
    /// <c>dbstat</c> (bytes per table and index) is not compiled into the e_sqlite3 that Microsoft.Data.Sqlite ships, so
    /// the bytes are the file's pages in use, <c>(page_count − freelist_count) × page_size</c>, attributed to the three
    /// tables as a whole (<c>bytes</c>); the other tables (clients, webhooks, keys) take a few pages.
    /// </summary>
    public static async Task<StorageResult> OfSqliteAsync(string databasePath, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection($"Data Source={databasePath};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText =
            """
            SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM deliveries), (SELECT count(*) FROM delivery_attempts),
                   (SELECT page_count FROM pragma_page_count()), (SELECT freelist_count FROM pragma_freelist_count()), (SELECT page_size FROM pragma_page_size());
            """;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var deliveries = reader.GetInt64(1);
        var bytes = (reader.GetInt64(3) - reader.GetInt64(4)) * reader.GetInt64(5);
        return new StorageResult(
            "SQLite: (page_count - freelist_count) x page_size of the whole file", new TableSize(reader.GetInt64(0), null), new TableSize(deliveries, null),
            new TableSize(reader.GetInt64(2), null), bytes, deliveries > 0 ? Math.Round(bytes / (double)deliveries, 1) : null);
    }
}
