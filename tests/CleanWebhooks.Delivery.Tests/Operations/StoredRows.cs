using Microsoft.Data.Sqlite;

namespace CleanWebhooks.Delivery.Tests.Operations;

/// <summary>Reads and seeds the service's SQLite file directly, to see what a purge left and to age rows it cannot age by itself.</summary>
internal sealed class StoredRows(string databasePath)
{
    private readonly string _connectionString = new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = false, DefaultTimeout = 30 }.ToString();

    /// <summary>SQLite stores timestamps as fixed-width UTC text.</summary>
    public static string Timestamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    public static string Id(Guid id) => id.ToString().ToUpperInvariant();

    public async Task<long> CountAsync(string sql, params (string Name, object Value)[] parameters) =>
        (long)(await RunAsync(sql, parameters, command => command.ExecuteScalarAsync()))!;

    public async Task<string?> ScalarTextAsync(string sql, params (string Name, object Value)[] parameters) =>
        await RunAsync(sql, parameters, command => command.ExecuteScalarAsync()) as string;

    public Task ExecuteAsync(string sql, params (string Name, object Value)[] parameters) =>
        RunAsync(sql, parameters, command => command.ExecuteNonQueryAsync());

    public Task<long> DeliveriesAsync(Guid id) => CountAsync("SELECT COUNT(*) FROM deliveries WHERE id = $id", ("$id", Id(id)));

    public Task<long> AttemptsAsync(Guid deliveryId) => CountAsync("SELECT COUNT(*) FROM delivery_attempts WHERE delivery_id = $id", ("$id", Id(deliveryId)));

    public Task<long> EventsAsync(Guid id) => CountAsync("SELECT COUNT(*) FROM events WHERE id = $id", ("$id", Id(id)));

    public Task<string?> StatusAsync(Guid deliveryId) => ScalarTextAsync("SELECT status FROM deliveries WHERE id = $id", ("$id", Id(deliveryId)));

    /// <summary>The recorded start of every attempt, as <see cref="System.Diagnostics.Stopwatch"/> ticks from the earliest.</summary>
    public async Task<List<long>> AttemptStartsAsync()
    {
        await using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT started_at FROM delivery_attempts ORDER BY started_at";
        await using var reader = await command.ExecuteReaderAsync();
        var starts = new List<DateTimeOffset>();
        while (await reader.ReadAsync())
        {
            starts.Add(DateTimeOffset.Parse(reader.GetString(0), System.Globalization.CultureInfo.InvariantCulture));
        }

        return [.. starts.Select(s => (long)((s - starts[0]).TotalSeconds * System.Diagnostics.Stopwatch.Frequency))];
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails after <paramref name="timeout"/> with <paramref name="what"/>.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Never happened: {what}.");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Runs one statement on a connection of its own.</summary>
    private async Task<T> RunAsync<T>(string sql, (string Name, object Value)[] parameters, Func<SqliteCommand, Task<T>> run)
    {
        await using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return await run(command);
    }
}
