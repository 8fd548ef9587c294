using System.Reflection;
using CleanWebhooks.Infrastructure.Persistence;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;

namespace CleanWebhooks.Infrastructure.Tests.Persistence;

/// <summary>The classifier judged on errors a real SQLite file raises: faults that pass are storage faults, our bugs are not.</summary>
public sealed class StorageFaultClassifierTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "cleanwebhooks-tests", Guid.NewGuid().ToString("N"));
    private readonly StorageFaultClassifier _classifier = new();

    public StorageFaultClassifierTests() => Directory.CreateDirectory(_folder);

    private string File => Path.Combine(_folder, "faults.db");

    [Fact]
    public async Task IsStorageFault_LockHeldByAnotherConnection_IsTrue()
    {
        await ExecuteAsync(Connection(), "PRAGMA journal_mode=WAL; CREATE TABLE t (id INTEGER PRIMARY KEY);");
        await using var holder = Connection();
        await holder.OpenAsync();
        await ExecuteOpenAsync(holder, "BEGIN IMMEDIATE;");

        var busy = await Assert.ThrowsAsync<SqliteException>(() => ExecuteAsync(Connection(timeoutSeconds: 1), "INSERT INTO t (id) VALUES (1);"));

        Assert.True(_classifier.IsStorageFault(busy), $"SQLite error {busy.SqliteErrorCode}");
    }

    [Fact]
    public async Task IsStorageFault_DatabaseThatCannotBeOpened_IsTrue()
    {
        var missing = new SqliteConnection($"Data Source={Path.Combine(_folder, "no-such-folder", "x.db")};Mode=ReadWrite;Pooling=False");

        var cannotOpen = await Assert.ThrowsAsync<SqliteException>(() => missing.OpenAsync());

        Assert.True(_classifier.IsStorageFault(cannotOpen), $"SQLite error {cannotOpen.SqliteErrorCode}");
    }

    [Fact]
    public async Task IsStorageFault_WriteToReadOnlyDatabase_IsTrue()
    {
        await ExecuteAsync(Connection(), "CREATE TABLE t (id INTEGER PRIMARY KEY);");

        var readOnly = await Assert.ThrowsAsync<SqliteException>(() =>
            ExecuteAsync(new SqliteConnection($"Data Source={File};Mode=ReadOnly;Pooling=False"), "INSERT INTO t (id) VALUES (1);"));

        Assert.True(_classifier.IsStorageFault(readOnly), $"SQLite error {readOnly.SqliteErrorCode}");
    }

    [Theory]
    [InlineData("INSERT INTO t (id) VALUES (1); INSERT INTO t (id) VALUES (1);")]
    [InlineData("INSERT INTO no_such_table (id) VALUES (1);")]
    [InlineData("SELEC 1;")]
    public async Task IsStorageFault_OurOwnMistake_IsFalse(string sql)
    {
        await ExecuteAsync(Connection(), "CREATE TABLE t (id INTEGER PRIMARY KEY);");

        var mistake = await Assert.ThrowsAsync<SqliteException>(() => ExecuteAsync(Connection(), sql));

        Assert.False(_classifier.IsStorageFault(mistake), $"SQLite error {mistake.SqliteErrorCode}");
    }

    [Fact]
    public void IsStorageFault_TimeoutWrappedInAnotherException_IsTrue()
    {
        Assert.True(_classifier.IsStorageFault(new InvalidOperationException("outer", new TimeoutException("inner"))));
        Assert.False(_classifier.IsStorageFault(new InvalidOperationException("a bug")));
    }

    [Fact]
    public void IsStorageFault_SqlClientPoolExhausted_IsTrue()
    {
        // SqlClient raises its pool timeout as a plain InvalidOperationException; its text, from SqlClient's own resources.
        var text = typeof(SqlConnection).Assembly.GetTypes()
            .Select(t => t.GetProperty("ADP_PooledOpenTimeout", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic))
            .Single(p => p is not null)!
            .GetValue(null) as string;

        Assert.NotNull(text);
        Assert.True(_classifier.IsStorageFault(new InvalidOperationException(text)), text);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // Left to the OS temp cleaner.
        }
    }

    private SqliteConnection Connection(int timeoutSeconds = 30) => new($"Data Source={File};Pooling=False;Default Timeout={timeoutSeconds}");

    private static async Task ExecuteAsync(SqliteConnection connection, string sql)
    {
        await using (connection)
        {
            await connection.OpenAsync();
            await ExecuteOpenAsync(connection, sql);
        }
    }

    private static async Task ExecuteOpenAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
