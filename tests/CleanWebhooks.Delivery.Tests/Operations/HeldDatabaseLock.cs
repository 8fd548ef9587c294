using Microsoft.Data.Sqlite;

namespace CleanWebhooks.Delivery.Tests.Operations;

/// <summary>Another connection on the service's SQLite file holding its write lock (<c>BEGIN IMMEDIATE</c>), as another process would.</summary>
internal sealed class HeldDatabaseLock : IAsyncDisposable
{
    private readonly SqliteConnection _holder;
    private bool _released;

    private HeldDatabaseLock(SqliteConnection holder) => _holder = holder;

    public static async Task<HeldDatabaseLock> TakeAsync(string databasePath)
    {
        var holder = new SqliteConnection($"Data Source={databasePath};Pooling=False");
        await holder.OpenAsync();
        await ExecuteAsync(holder, "BEGIN IMMEDIATE;");
        return new HeldDatabaseLock(holder);
    }

    /// <summary>Lets the lock go (a rollback: the holder wrote nothing).</summary>
    public async Task ReleaseAsync()
    {
        if (!_released)
        {
            _released = true;
            await ExecuteAsync(_holder, "ROLLBACK;");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await ReleaseAsync();
        await _holder.DisposeAsync();
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
