using Npgsql;

namespace CleanWebhooks.Bench;

/// <summary>A fresh database on the PostgreSQL server given to the bench, for one run, dropped after it.</summary>
internal static class BenchPostgres
{
    public static async Task<string> CreateDatabaseAsync(string server, CancellationToken cancellationToken)
    {
        var name = "cw_bench_" + Guid.NewGuid().ToString("N");
        await using var connection = new NpgsqlConnection(Admin(server));
        await connection.OpenAsync(cancellationToken);
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\";", connection);
        await create.ExecuteNonQueryAsync(cancellationToken);
        return new NpgsqlConnectionStringBuilder(server) { Database = name }.ToString();
    }

    public static async Task DropDatabaseAsync(string server, string database)
    {
        var name = new NpgsqlConnectionStringBuilder(database).Database;
        await using var connection = new NpgsqlConnection(Admin(server));
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE);", connection);
        await drop.ExecuteNonQueryAsync();
    }

    private static string Admin(string server) => new NpgsqlConnectionStringBuilder(server) { Database = "postgres", Pooling = false }.ToString();
}
