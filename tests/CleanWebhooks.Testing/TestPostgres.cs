using Npgsql;

namespace CleanWebhooks.Testing;

/// <summary>
/// The PostgreSQL server the tests run on, named by <c>CLEANWEBHOOKS_TEST_POSTGRES</c> (an Npgsql connection string
/// whose user may create databases). Each test class gets a database of its own, created here and dropped after.
/// Without the variable a PostgreSQL test fails, saying how to get one: it never passes by skipping.
/// </summary>
public static class TestPostgres
{
    public const string Variable = "CLEANWEBHOOKS_TEST_POSTGRES";

    public static string? ConfiguredConnectionString =>
        Environment.GetEnvironmentVariable(Variable) is { } value && !string.IsNullOrWhiteSpace(value) ? value : null;

    public static string HowToStartOne =>
        $"{Variable} is not set, so the PostgreSQL tests cannot run. Run the whole suite with `.ci/run` (it starts a " +
        "throwaway PostgreSQL cluster and sets the variable), or start one yourself with " +
        "`eval \"$(.ci/postgres start)\"` and run `dotnet test` from that shell; any server works: " +
        $"export {Variable}='Host=127.0.0.1;Port=5432;Username=postgres;Password=...' (the user must be allowed to create databases).";

    /// <summary>The server's connection string; throws, saying how to start a server, when none is configured.</summary>
    public static string ServerConnectionString => ConfiguredConnectionString ?? throw new InvalidOperationException(HowToStartOne);

    /// <summary>Creates an empty database with a fresh name and returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(string purpose)
    {
        var name = $"cw_{purpose}_{Guid.NewGuid():N}"[..Math.Min(63, 4 + purpose.Length + 32)].ToLowerInvariant();
        await using var connection = new NpgsqlConnection(AdminConnectionString());
        await connection.OpenAsync();
        await using (var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\";", connection))
        {
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = name }.ToString();
    }

    /// <summary>Drops the database of <paramref name="connectionString"/>, closing whatever still uses it.</summary>
    public static async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(AdminConnectionString());
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE);", connection);
        await drop.ExecuteNonQueryAsync();
    }

    private static string AdminConnectionString() =>
        new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = "postgres", Pooling = false }.ToString();
}
