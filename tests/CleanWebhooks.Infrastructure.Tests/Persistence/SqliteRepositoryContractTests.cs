using Dapper;

namespace CleanWebhooks.Infrastructure.Tests.Persistence;

/// <summary>The repository contract on a real SQLite file, migrated as at start-up. Always runs.</summary>
public sealed class SqliteRepositoryContractTests(SqliteContractDatabase database)
    : RepositoryContract(database), IClassFixture<SqliteContractDatabase>
{
    [Fact]
    public async Task Storage_InSqlite_IsTextIdsAndFixedWidthUtcTimestamps()
    {
        var (client, _, _) = await NewClientAsync();

        await using var connection = await Database.OpenAsync(default);
        var stored = await connection.QuerySingleAsync<(string IdType, string Id, string CreatedAt)>(new CommandDefinition(
            "SELECT typeof(id), CAST(id AS TEXT), created_at FROM clients WHERE id = @Id;", new { Id = client.Id.Value }));

        // What the migration and DapperSetup promise: ids as text, and times as UTC text of one width, so that
        // text order is time order. 14:12:33.741194 at -03:00 is 17:12:33.741194 UTC.
        Assert.Equal("text", stored.IdType);
        Assert.Equal(client.Id.Value, Guid.Parse(stored.Id));
        Assert.Equal("2024-04-11T17:12:33.741194Z", stored.CreatedAt);
    }

    [Fact]
    public void Database_File_IsARealFileOnDisk()
    {
        Assert.True(File.Exists(database.FilePath));
    }
}
