using CleanWebhooks.Application.Common.Abstractions;
using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Webhooks;
using CleanWebhooks.Infrastructure.Persistence;
using CleanWebhooks.Infrastructure.Persistence.Clients;
using CleanWebhooks.Infrastructure.Persistence.Webhooks;
using CleanWebhooks.Infrastructure.Persistence.Migrations;
using CleanWebhooks.Infrastructure.Security;
using Microsoft.AspNetCore.DataProtection;
using CleanWebhooks.Testing;
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

    public Database Database => _database ?? throw new InvalidOperationException(NotConfigured);

    /// <summary>Why <see cref="Database"/> is missing.</summary>
    protected virtual string NotConfigured => "The database is not configured.";

    public ISecretProtector Protector { get; }

    protected string Folder => _folder;

    public async Task InitializeAsync()
    {
        if (await CreateOptionsAsync() is { } options)
        {
            _database = new Database(options);
            await new Migrator(_database).MigrateAsync(CancellationToken.None);
        }
    }

    public virtual async Task DisposeAsync()
    {
        _database?.Dispose();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // Left to the OS temp cleaner.
        }

        await DropAsync();
    }

    /// <summary>
    /// A new client with an API key and a webhook of type 0 (a fixed authorization, a url on example.com), created at
    /// <paramref name="at"/> through the repositories.
    /// </summary>
    public async Task<(ClientId Client, WebhookId Webhook)> NewClientWithWebhookAsync(string name, DateTimeOffset at)
    {
        var client = Client.Create(ClientId.New(), $"{name} client", at).Value;
        await new ClientRepository(Database).AddAsync(client, ApiKey.Issue(client.Id, at).Key, default);
        var definition = new WebhookDefinition(name, 0, "POST", null, null, "https://example.com/hooks/:id", "Bearer x", null, null, null, null, null);
        var webhook = Webhook.Create(client.Id, definition, at).Value;
        Assert.True(await new WebhookRepository(Database, Protector).AddAsync(webhook, default));
        return (client.Id, webhook.Id);
    }

    /// <summary>The database to test, or null when it is not available here.</summary>
    protected abstract Task<DatabaseOptions?> CreateOptionsAsync();

    /// <summary>Removes what <see cref="CreateOptionsAsync"/> created outside the temporary folder.</summary>
    protected virtual Task DropAsync() => Task.CompletedTask;
}

/// <summary>A fresh SQLite file in a temporary folder.</summary>
public sealed class SqliteContractDatabase : ContractDatabase
{
    public string FilePath => Path.Combine(Folder, "contract.db");

    protected override Task<DatabaseOptions?> CreateOptionsAsync() =>
        Task.FromResult<DatabaseOptions?>(new() { Provider = SqlDialect.Sqlite, ConnectionString = $"Data Source={FilePath}" });
}

/// <summary>The SQL Server database named by <c>CLEANWEBHOOKS_TEST_SQLSERVER</c>, migrated; nothing when it is unset.</summary>
public sealed class SqlServerContractDatabase : ContractDatabase
{
    protected override Task<DatabaseOptions?> CreateOptionsAsync() =>
        Task.FromResult<DatabaseOptions?>(SqlServerFactAttribute.ConnectionString is { } connectionString
            ? new() { Provider = SqlDialect.SqlServer, ConnectionString = connectionString }
            : null);
}

/// <summary>
/// A database of its own on the PostgreSQL server named by <c>CLEANWEBHOOKS_TEST_POSTGRES</c>, created and migrated
/// for one test class and dropped after it. Without the variable every test of the class fails, saying how to start
/// a server.
/// </summary>
public sealed class PostgresContractDatabase : ContractDatabase
{
    private string? _connectionString;

    public string ConnectionString => _connectionString ?? throw new InvalidOperationException(TestPostgres.HowToStartOne);

    protected override string NotConfigured => TestPostgres.HowToStartOne;

    protected override async Task<DatabaseOptions?> CreateOptionsAsync()
    {
        if (TestPostgres.ConfiguredConnectionString is null)
        {
            // Leaves the database unset: each test then fails with the message of how to start one.
            return null;
        }

        _connectionString = await TestPostgres.CreateDatabaseAsync("contract");
        return new() { Provider = SqlDialect.PostgreSql, ConnectionString = _connectionString };
    }

    protected override async Task DropAsync()
    {
        if (_connectionString is not null)
        {
            await TestPostgres.DropDatabaseAsync(_connectionString);
        }
    }
}
