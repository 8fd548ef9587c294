using CleanWebhooks.Application.Common.Abstractions;
using CleanWebhooks.Infrastructure.Persistence;
using CleanWebhooks.Infrastructure.Persistence.Migrations;
using CleanWebhooks.Infrastructure.Security;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;

namespace CleanWebhooks.Infrastructure.Tests.Persistence;

/// <summary>A real, migrated database for the repository contract, with a real secret protector.</summary>
public abstract class ContractDatabase : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "cleanwebhooks-tests", Guid.NewGuid().ToString("N"));
    private Database? _database;

    protected ContractDatabase()
    {
        Directory.CreateDirectory(_folder);
        Protector = new DataProtectionSecretProtector(DataProtectionProvider.Create(new DirectoryInfo(Path.Combine(_folder, "keys"))));
    }

    public Database Database => _database ?? throw new InvalidOperationException("The database is not configured.");

    public ISecretProtector Protector { get; }

    protected string Folder => _folder;

    public async Task InitializeAsync()
    {
        if (CreateOptions() is { } options)
        {
            _database = new Database(options);
            await new Migrator(_database).MigrateAsync(CancellationToken.None);
        }
    }

    public virtual Task DisposeAsync()
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

        return Task.CompletedTask;
    }

    /// <summary>The database to test, or null when it is not available here.</summary>
    protected abstract DatabaseOptions? CreateOptions();
}

/// <summary>A fresh SQLite file in a temporary folder.</summary>
public sealed class SqliteContractDatabase : ContractDatabase
{
    public string FilePath => Path.Combine(Folder, "contract.db");

    protected override DatabaseOptions CreateOptions() =>
        new() { Provider = SqlDialect.Sqlite, ConnectionString = $"Data Source={FilePath}" };
}

/// <summary>The SQL Server database named by <c>CLEANWEBHOOKS_TEST_SQLSERVER</c>, migrated; nothing when it is unset.</summary>
public sealed class SqlServerContractDatabase : ContractDatabase
{
    protected override DatabaseOptions? CreateOptions() =>
        SqlServerFactAttribute.ConnectionString is { } connectionString
            ? new() { Provider = SqlDialect.SqlServer, ConnectionString = connectionString }
            : null;
}
