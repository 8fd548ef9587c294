using System.Data.Common;
using System.Reflection;
using Dapper;

namespace CleanWebhooks.Infrastructure.Persistence.Migrations;

/// <summary>
/// Applies the numbered <c>.sql</c> files embedded for the configured dialect, each once, in order, inside one
/// transaction that also holds a lock (the file's write lock on SQLite, <c>sp_getapplock</c> on SQL Server,
/// <c>pg_advisory_xact_lock</c> on PostgreSQL), so that instances starting together do not race.
/// </summary>
public sealed class Migrator(Database database)
{
    /// <summary>
    /// The page size of a new SQLite file (SQLite's default is 4 KiB). Its WAL writes every page a commit touched in
    /// full, and an index grouped by webhook has a page per webhook in each write turn: half-size pages write about a
    /// quarter less per delivery (ADR 23). A file created with other pages keeps them.
    /// </summary>
    public const int SqlitePageSize = 2048;

    private static class Portable
    {
        public const string Applied = "SELECT id FROM schema_migrations;";

        public const string Record = "INSERT INTO schema_migrations (id, applied_at) VALUES (@Id, @AppliedAt);";
    }

    private static class Sqlite
    {
        // SQLite locks the whole file for the first write of the transaction, this one.
        public const string CreateHistory =
            "CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT NOT NULL PRIMARY KEY, applied_at TEXT NOT NULL);";
    }

    private static class SqlServer
    {
        public const string CreateHistory =
            "DECLARE @result INT; " +
            "EXEC @result = sp_getapplock @Resource = 'cleanwebhooks_migrations', @LockMode = 'Exclusive', @LockOwner = 'Transaction', @LockTimeout = @LockTimeoutMs; " +
            "IF @result < 0 THROW 50000, 'Could not take the migration lock within Database:MigrationLockTimeout.', 1; " +
            "IF OBJECT_ID(N'dbo.schema_migrations', N'U') IS NULL CREATE TABLE dbo.schema_migrations (id NVARCHAR(200) NOT NULL CONSTRAINT pk_schema_migrations PRIMARY KEY, applied_at DATETIMEOFFSET(6) NOT NULL);";
    }

    private static class PostgreSql
    {
        // The lock is held until the transaction ends: a node starting at the same moment waits here, then finds the
        // migrations recorded. The key is any constant of our own (0x636c65616e776862 spells "cleanwhb").
        public const string CreateHistory =
            "SELECT set_config('lock_timeout', @LockTimeoutMs || 'ms', true); " +
            "SELECT pg_advisory_xact_lock(7164212576379168866); " +
            "CREATE TABLE IF NOT EXISTS schema_migrations (id text NOT NULL PRIMARY KEY, applied_at timestamptz NOT NULL);";
    }

    /// <summary>The migrations of a dialect, by name, in the order they apply.</summary>
    public static IReadOnlyList<(string Name, string Sql)> Scripts(SqlDialect dialect)
    {
        var assembly = typeof(Migrator).Assembly;
        var prefix = $"{typeof(Migrator).Namespace}.{dialect}.";
        return [.. assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith(prefix, StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(name => (name[prefix.Length..], Read(assembly, name)))];
    }

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        if (database.Dialect == SqlDialect.Sqlite)
        {
            // The page size first: it applies only to a file without tables, and not once the file is in WAL mode.
            // WAL lets readers and the one writer work at once; both settings are kept in the file.
            await connection.ExecuteAsync(new CommandDefinition(
                $"PRAGMA page_size={SqlitePageSize}; PRAGMA journal_mode=WAL;", cancellationToken: cancellationToken));
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var lockTimeoutMs = (int)Math.Min(int.MaxValue, database.MigrationLockTimeout.TotalMilliseconds);
        await connection.ExecuteAsync(new CommandDefinition(
            database.Sql(Sqlite.CreateHistory, SqlServer.CreateHistory, PostgreSql.CreateHistory),
            new { LockTimeoutMs = lockTimeoutMs },
            transaction,
            CommandTimeoutSeconds(),
            cancellationToken: cancellationToken));
        var applied = (await connection.QueryAsync<string>(new CommandDefinition(
            database.Sql(Portable.Applied), transaction: transaction, cancellationToken: cancellationToken))).ToHashSet();

        foreach (var (name, sql) in Scripts(database.Dialect).Where(script => !applied.Contains(script.Name)))
        {
            await Run(connection, transaction, sql, cancellationToken);
            await connection.ExecuteAsync(new CommandDefinition(
                database.Sql(Portable.Record),
                new { Id = name, AppliedAt = DateTimeOffset.UtcNow },
                transaction,
                cancellationToken: cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Longer than the lock's own wait, so a second instance waits for the first instead of timing out.</summary>
    private int CommandTimeoutSeconds() => (int)Math.Min(int.MaxValue / 2, database.MigrationLockTimeout.TotalSeconds + 60);

    private Task<int> Run(DbConnection connection, DbTransaction transaction, string sql, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(sql, transaction: transaction, commandTimeout: CommandTimeoutSeconds(), cancellationToken: cancellationToken));

    private static string Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
