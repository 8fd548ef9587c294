using System.Diagnostics;
using CleanWebhooks.Infrastructure.Persistence;
using Dapper;

namespace CleanWebhooks.Infrastructure.Tests.Persistence;

/// <summary>
/// SQLite's write connection is kept from one write turn to the next with its compiled statements, a turn that ends
/// broken does not hand its state to the next one, and a turn knows who waits for it.
/// </summary>
public sealed class SqliteWriterTests : IDisposable
{
    private const string Insert = "INSERT INTO scratch (n) VALUES (@N);";

    private readonly string _folder = Directory.CreateTempSubdirectory("cleanwebhooks-writer-").FullName;
    private readonly Database _database;

    public SqliteWriterTests()
    {
        // Turns here wait as long as a busy machine makes them (two or three suites at once held queued turns past a
        // second); the one test about the time-out opens a database that waits a second.
        _database = OpenDatabase(TimeSpan.FromMinutes(1));
        using var connection = _database.OpenAsync(CancellationToken.None).GetAwaiter().GetResult();
        connection.Execute("PRAGMA journal_mode=WAL; CREATE TABLE scratch (n INTEGER NOT NULL);");
    }

    [Fact]
    public async Task Command_InTheNextTurn_IsTheSameCompiledCommand()
    {
        object first;
        await using (var writer = await _database.OpenWriterAsync(CancellationToken.None))
        {
            var command = writer.Command(Insert, null, "@N").Bind(1);
            await command.ExecuteNonQueryAsync();
            first = command;
        }

        await using (var writer = await _database.OpenWriterAsync(CancellationToken.None))
        {
            var command = writer.Command(Insert, null, "@N").Bind(2);
            await command.ExecuteNonQueryAsync();
            Assert.Same(first, command);
        }

        Assert.Equal([1L, 2L], await RowsAsync());
    }

    [Fact]
    public async Task Turn_EndedInsideATransaction_LeavesNothingToTheNextTurn()
    {
        await using (var writer = await _database.OpenWriterAsync(CancellationToken.None))
        {
            // As a turn whose rollback failed would leave it: a transaction open, and a row in it.
            await writer.Connection.ExecuteAsync("BEGIN IMMEDIATE; INSERT INTO scratch (n) VALUES (1);");
        }

        await using (var writer = await _database.OpenWriterAsync(CancellationToken.None))
        {
            await using var transaction = await writer.Connection.BeginTransactionAsync();
            await writer.Command(Insert, transaction, "@N").Bind(2).ExecuteNonQueryAsync();
            await transaction.CommitAsync();
        }

        Assert.Equal([2L], await RowsAsync());
    }

    [Fact]
    public async Task Turn_WritesQueuedBehindIt_AreCountedUntilTheyHaveTheirOwnAndKnowHowLongTheyWaited()
    {
        Task<WriteTurn> second, third;
        await using (var writer = await _database.OpenWriterAsync(CancellationToken.None))
        {
            Assert.Equal(0, writer.Turn().Waiting);
            second = WriteAsync(2);
            third = WriteAsync(3);

            // Both wait for this turn: a purge batch reads this as two writes it held up.
            Assert.Equal(2, writer.Turn().Waiting);

            // Held for 100 ms by the stopwatch the writer reads: a timer may fire a fraction of a millisecond early.
            var holding = Stopwatch.StartNew();
            while (holding.Elapsed < TimeSpan.FromMilliseconds(100))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100) - holding.Elapsed + TimeSpan.FromMilliseconds(1));
            }

            Assert.False(second.IsCompleted || third.IsCompleted);
            Assert.True(writer.Turn().Held >= TimeSpan.FromMilliseconds(100));
        }

        var turns = await Task.WhenAll(second, third);
        Assert.Equal([2L, 3L], await RowsAsync());
        Assert.All(turns, turn => Assert.True(turn.Waited >= TimeSpan.FromMilliseconds(100), $"Waited {turn.Waited}."));
        await using (var writer = await _database.OpenWriterAsync(CancellationToken.None))
        {
            Assert.Equal(0, writer.Turn().Waiting);
            Assert.True(writer.Turn().Waited < TimeSpan.FromMilliseconds(100), "Nothing was ahead of this one.");
        }

        async Task<WriteTurn> WriteAsync(long n)
        {
            await using var writer = await _database.OpenWriterAsync(CancellationToken.None);
            await writer.Command(Insert, null, "@N").Bind(n).ExecuteNonQueryAsync();
            return writer.Turn();
        }
    }

    [Fact]
    public async Task Durability_OfEachTurn_IsTheOneItAskedFor()
    {
        Assert.Equal(1L, await SynchronousAsync(WriteDurability.Relaxed));
        Assert.Equal(2L, await SynchronousAsync(WriteDurability.Full));
        Assert.Equal(2L, await SynchronousAsync(WriteDurability.Full));
        Assert.Equal(1L, await SynchronousAsync(WriteDurability.Relaxed));
    }

    [Fact]
    public async Task Dispose_Twice_EndsTheTurnOnce()
    {
        using var database = OpenDatabase(TimeSpan.FromSeconds(1));
        var first = await database.OpenWriterAsync(CancellationToken.None);
        await first.DisposeAsync();
        await using var second = await database.OpenWriterAsync(CancellationToken.None);

        await first.DisposeAsync();

        // The second writer still holds the one connection: nobody else may write until it is done.
        await Assert.ThrowsAsync<TimeoutException>(() => database.OpenWriterAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Bind_WithFewerValuesThanParameters_Throws()
    {
        await using var writer = await _database.OpenWriterAsync(CancellationToken.None);
        await writer.Command(Insert, null, "@N").Bind(1).ExecuteNonQueryAsync();

        // A kept command still holds the last values: one left out would be written again, silently.
        Assert.Throws<ArgumentException>(() => writer.Command(Insert, null, "@N").Bind());
    }

    [Fact]
    public async Task Command_KeptWithOtherParameterNames_Throws()
    {
        await using var writer = await _database.OpenWriterAsync(CancellationToken.None);
        writer.Command(Insert, null, "@N");

        Assert.Throws<ArgumentException>(() => writer.Command(Insert, null, "@M"));
    }

    [Fact]
    public async Task DatabaseDispose_DuringATurn_WaitsForTheTurnToEnd()
    {
        // Dispose waits for the turn as long as a turn may wait (BusyTimeout, a minute here), then closes anyway.
        using var database = OpenDatabase(TimeSpan.FromMinutes(1));
        var writer = await database.OpenWriterAsync(CancellationToken.None);
        var disposing = Task.Run(database.Dispose);

        // Not a timing assertion: a Dispose that did not wait would have closed the connection under the writer.
        await Task.Delay(TimeSpan.FromMilliseconds(200));
        await writer.Command(Insert, null, "@N").Bind(7).ExecuteNonQueryAsync();
        Assert.False(disposing.IsCompleted);
        await writer.DisposeAsync();
        await disposing;

        await using var reader = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_folder, "writer.db")}");
        Assert.Equal(7L, await reader.ExecuteScalarAsync<long>("SELECT n FROM scratch;"));
    }

    /// <summary>The test's database file, its write turns waited for up to <paramref name="busyTimeout"/>.</summary>
    private Database OpenDatabase(TimeSpan busyTimeout) => new(new DatabaseOptions
    {
        Provider = SqlDialect.Sqlite,
        ConnectionString = $"Data Source={Path.Combine(_folder, "writer.db")}",
        BusyTimeout = busyTimeout,
    });

    public void Dispose()
    {
        _database.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>SQLite's <c>synchronous</c> in a turn of <paramref name="durability"/>: 1 is NORMAL, 2 is FULL.</summary>
    private async Task<long> SynchronousAsync(WriteDurability durability)
    {
        await using var writer = await _database.OpenWriterAsync(CancellationToken.None, durability);
        return await writer.Connection.ExecuteScalarAsync<long>("PRAGMA synchronous;");
    }

    private async Task<List<long>> RowsAsync()
    {
        await using var connection = await _database.OpenAsync(CancellationToken.None);
        return [.. await connection.QueryAsync<long>("SELECT n FROM scratch ORDER BY n;")];
    }
}
