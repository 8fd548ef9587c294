using System.Text.RegularExpressions;
using CleanWebhooks.Infrastructure.Persistence;
using CleanWebhooks.Infrastructure.Persistence.Migrations;

namespace CleanWebhooks.Infrastructure.Tests.Persistence;

/// <summary>
/// How statements are written for three engines: once (a nested <c>Portable</c> class) where they agree, per dialect
/// (<c>Sqlite</c>, <c>SqlServer</c>, <c>PostgreSql</c>) where they differ. A statement written for two engines only
/// fails to compile (<see cref="Database.Sql(string, string, string)"/> takes three) or fails here.
/// </summary>
public partial class DialectTests
{
    /// <summary>Statements PostgreSQL does without, each with the reason.</summary>
    private static readonly Dictionary<string, string> NoTwinNeeded = new(StringComparer.Ordinal)
    {
        ["DeliveryQueue.PostgreSql.Load"] = "its Take returns the leased rows with their events (a data-modifying CTE), where SQLite's RETURNING cannot join",
        ["DeliveryQueue.PostgreSql.DueWebhooks"] =
            "it locks the due webhooks (LockDueWebhooks), then counts their deliveries in a statement of its own (CountDue), whose snapshot follows the locks",
    };

    [Fact]
    public void PerDialectStatements_EverySqliteOrSqlServerStatement_HasAPostgreSqlTwin()
    {
        var postgres = SqlServerSyntaxTests.NestedConstants("PostgreSql").Select(s => s.Name).ToHashSet(StringComparer.Ordinal);

        var missing = SqlServerSyntaxTests.NestedConstants("SqlServer").Concat(SqlServerSyntaxTests.NestedConstants("Sqlite"))
            .Select(s => Twin(s.Name))
            .Where(name => !postgres.Contains(name) && !NoTwinNeeded.ContainsKey(name))
            .Distinct()
            .ToList();

        Assert.True(postgres.Count >= 10, $"Only {postgres.Count} PostgreSQL statements found.");
        Assert.True(missing.Count == 0, "No PostgreSQL text for: " + string.Join(", ", missing));
    }

    [Fact]
    public void Sql_PortableStatementOnSqlServer_QualifiesEveryTableOnce()
    {
        const string portable =
            "WITH due AS (SELECT id FROM deliveries) UPDATE deliveries SET status = 'x' WHERE id IN (SELECT d.id FROM due JOIN events e ON e.id = d.event_id) " +
            "AND EXISTS (SELECT 1 FROM delivery_attempts WHERE \"key\" = @Key); DELETE FROM idempotency_keys; INSERT INTO webhooks (deliveries) VALUES (1);";

        Assert.Equal(
            "WITH due AS (SELECT id FROM dbo.deliveries) UPDATE dbo.deliveries SET status = 'x' WHERE id IN (SELECT d.id FROM due JOIN dbo.events e ON e.id = d.event_id) " +
            "AND EXISTS (SELECT 1 FROM dbo.delivery_attempts WHERE \"key\" = @Key); DELETE FROM dbo.idempotency_keys; INSERT INTO dbo.webhooks (deliveries) VALUES (1);",
            Database.QualifyForSqlServer(portable));
    }

    [Theory]
    [InlineData(SqlDialect.Sqlite, "SELECT id FROM clients;")]
    [InlineData(SqlDialect.PostgreSql, "SELECT id FROM clients;")]
    [InlineData(SqlDialect.SqlServer, "SELECT id FROM dbo.clients;")]
    public void Sql_PortableStatement_IsAsWrittenExceptTheSchemaOnSqlServer(SqlDialect dialect, string expected)
    {
        using var database = new Database(new DatabaseOptions { Provider = dialect, ConnectionString = ConnectionStringFor(dialect) });

        Assert.Equal(expected, database.Sql("SELECT id FROM clients;"));
        Assert.Equal(dialect.ToString(), database.Sql("Sqlite", "SqlServer", "PostgreSql"));
    }

    [Fact]
    public void Tables_Always_AreTheTablesTheMigrationsCreate()
    {
        var created = Migrator.Scripts(SqlDialect.SqlServer)
            .SelectMany(s => CreateTable().Matches(s.Sql).Select(m => m.Groups[1].Value))
            .Append("schema_migrations")
            .ToHashSet(StringComparer.OrdinalIgnoreCase);

        Assert.Equal(created.Order(StringComparer.Ordinal), Database.Tables.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void PortableStatements_Always_QuoteKeyTheStandardWay()
    {
        var unquoted = SqlServerSyntaxTests.NestedConstants("Portable").Concat(SqlServerSyntaxTests.NestedConstants("PostgreSql"))
            .Where(s => BareKey().IsMatch(s.Sql) || s.Sql.Contains("[key]", StringComparison.Ordinal))
            .Select(s => s.Name)
            .ToList();

        Assert.True(unquoted.Count == 0, "A bare or bracketed key column in: " + string.Join(", ", unquoted));
    }

    [Fact]
    public void Migrations_EveryDialect_HasTheSameNumberedFiles()
    {
        var sqlite = Migrator.Scripts(SqlDialect.Sqlite).Select(s => s.Name).ToList();

        Assert.Equal(sqlite, Migrator.Scripts(SqlDialect.SqlServer).Select(s => s.Name));
        Assert.Equal(sqlite, Migrator.Scripts(SqlDialect.PostgreSql).Select(s => s.Name));
    }

    private static string Twin(string name)
    {
        var parts = name.Split('.');
        return $"{parts[0]}.PostgreSql.{parts[2]}";
    }

    private static string ConnectionStringFor(SqlDialect dialect) => dialect switch
    {
        SqlDialect.Sqlite => "Data Source=:memory:",
        SqlDialect.SqlServer => "Server=127.0.0.1;Database=unused",
        _ => "Host=127.0.0.1;Database=unused",
    };

    [GeneratedRegex(@"CREATE TABLE dbo\.(\w+)", RegexOptions.IgnoreCase)]
    private static partial Regex CreateTable();

    /// <summary><c>key</c> as a word, neither quoted nor in <c>PRIMARY KEY</c> or PostgreSQL's <c>FOR NO KEY UPDATE</c>.</summary>
    [GeneratedRegex(@"(?<!PRIMARY\s+)(?<!FOR\s+NO\s+)(?<![\w""\[@])key(?![\w""\]])", RegexOptions.IgnoreCase)]
    private static partial Regex BareKey();
}
