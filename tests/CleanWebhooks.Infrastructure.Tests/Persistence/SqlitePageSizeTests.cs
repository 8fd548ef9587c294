using CleanWebhooks.Infrastructure.Persistence;
using CleanWebhooks.Infrastructure.Persistence.Migrations;
using Dapper;
using Microsoft.Data.Sqlite;

namespace CleanWebhooks.Infrastructure.Tests.Persistence;

/// <summary>
/// A new SQLite file is created with 2 KiB pages (ADR 23); a file created with SQLite's 4 KiB keeps them and migrates as
/// before; the write connection checkpoints at about a megabyte of WAL whatever the pages.
/// </summary>
public sealed class SqlitePageSizeTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cleanwebhooks-pages-").FullName;

    [Fact]
    public async Task Migrate_NewFile_HasSmallPagesAndTheWal()
    {
        using var database = Open("new.db");

        await new Migrator(database).MigrateAsync(CancellationToken.None);

        await using var connection = await database.OpenAsync(CancellationToken.None);
        Assert.Equal(2048L, Migrator.SqlitePageSize);
        Assert.Equal(Migrator.SqlitePageSize, await connection.ExecuteScalarAsync<long>("PRAGMA page_size;"));
        Assert.Equal("wal", await connection.ExecuteScalarAsync<string>("PRAGMA journal_mode;"));
        Assert.Equal(512L, await WriterCheckpointPagesAsync(database));
    }

    [Fact]
    public async Task Migrate_FileWithFourKiBPages_KeepsThemAndAppliesEveryMigration()
    {
        var path = Path.Combine(_folder, "old.db");
        await using (var old = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await old.ExecuteAsync("PRAGMA page_size=4096; PRAGMA journal_mode=WAL; CREATE TABLE kept (n INTEGER NOT NULL);");
        }

        using var database = Open("old.db");
        await new Migrator(database).MigrateAsync(CancellationToken.None);

        await using var connection = await database.OpenAsync(CancellationToken.None);
        Assert.Equal(4096L, await connection.ExecuteScalarAsync<long>("PRAGMA page_size;"));
        Assert.Equal(
            Migrator.Scripts(SqlDialect.Sqlite).Select(s => s.Name),
            (await connection.QueryAsync<string>("SELECT id FROM schema_migrations ORDER BY id;")).ToList());
        Assert.Equal(256L, await WriterCheckpointPagesAsync(database));
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

    /// <summary>The kept write connection's <c>wal_autocheckpoint</c>, in pages.</summary>
    private static async Task<long> WriterCheckpointPagesAsync(Database database)
    {
        await using var writer = await database.OpenWriterAsync(CancellationToken.None);
        return await writer.Connection.ExecuteScalarAsync<long>("PRAGMA wal_autocheckpoint;");
    }

    private Database Open(string file) => new(new DatabaseOptions
    {
        Provider = SqlDialect.Sqlite,
        ConnectionString = $"Data Source={Path.Combine(_folder, file)}",
    });
}
