using System.Reflection;
using System.Text.RegularExpressions;
using CleanWebhooks.Infrastructure.Persistence;
using CleanWebhooks.Infrastructure.Persistence.Migrations;
using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace CleanWebhooks.Infrastructure.Tests.Persistence;

/// <summary>
/// Every statement SQL Server will run, checked by SQL Server's own parser (ScriptDom), so a typo in the
/// dialect nobody runs locally fails here rather than in production.
/// </summary>
public partial class SqlServerSyntaxTests
{
    [Fact]
    public void Parse_EveryMigrationAndStatement_HasNoError()
    {
        var failures = new List<string>();
        foreach (var (name, sql) in AllSqlServerSql())
        {
            var (statements, errors) = Parse(sql);
            failures.AddRange(errors.Select(e => $"{name} ({e.Line}:{e.Column}): {e.Message}"));
            if (statements == 0 && errors.Count == 0)
            {
                failures.Add($"{name}: no statement.");
            }
        }

        Assert.True(failures.Count == 0, "SQL Server does not accept:" + Environment.NewLine + string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public void AllSqlServerSql_Always_FindsEveryRepositoryAndTheMigrations()
    {
        var statements = SqlServerStatements();
        var owners = statements.Select(s => s.Name.Split('.')[0]).ToHashSet(StringComparer.Ordinal);

        // Guards against the test above passing because reflection found nothing to check.
        Assert.Superset(new HashSet<string>(StringComparer.Ordinal) { "ClientRepository", "WebhookRepository", "WebhookQueries", "Migrator", "IntakeWriter", "DeliveryRepository", "DeliveryQueue", "DeliveryQueries" }, owners);
        Assert.True(statements.Count >= 35, $"Only {statements.Count} SQL Server statements found.");
        Assert.Contains(statements, s => s.Name == "ClientRepository.SqlServer.InsertKeyIfMissing");
        Assert.Contains(statements, s => s.Name == "ClientRepository.Portable.GetClient" && s.Sql.Contains("FROM dbo.clients", StringComparison.Ordinal));
        Assert.Contains(statements, s => s.Name == "DeliveryQueue.SqlServer.Take" && s.Sql.Contains("UPDLOCK, READPAST", StringComparison.Ordinal));
        Assert.Contains(statements, s => s.Name == "IntakeWriter.SqlServer.InsertEvents" && s.Sql.Contains("SAVE TRANSACTION", StringComparison.Ordinal));
        Assert.Contains(statements, s => s.Name == "DeliveryQueue.SqlServer.Record" && s.Sql.Contains("OPENJSON(@Attempts)", StringComparison.Ordinal));
        Assert.NotEmpty(Migrator.Scripts(SqlDialect.SqlServer));
        Assert.True(Parse(string.Concat(Migrator.Scripts(SqlDialect.SqlServer).Select(s => s.Sql))).Statements >= 10);
    }

    [Fact]
    public void Migrations_SqlServer_HaveNoGoLine()
    {
        // GO is not T-SQL but a batch separator of sqlcmd and SSMS: sent by SqlClient it is a syntax error, and
        // ScriptDom would accept it as a separator and pass the script.
        var withGo = Migrator.Scripts(SqlDialect.SqlServer).Concat(SqlServerStatements())
            .Where(s => GoLine().IsMatch(s.Sql))
            .Select(s => s.Name)
            .ToList();

        Assert.True(withGo.Count == 0, "A GO line in: " + string.Join(", ", withGo));
        Assert.Matches(GoLine(), "CREATE TABLE dbo.x (id INT);\n  go  \nSELECT 1;");
    }

    [Theory]
    [InlineData("SELEC id FROM dbo.clients;")]
    [InlineData("INSERT INTO dbo.clients (id, name VALUES (@Id, @Name);")]
    [InlineData("SELECT id FROM dbo.webhooks WHERE client_id = @ClientId AND;")]
    [InlineData("UPDATE dbo.webhooks SET WHERE id = @Id;")]
    public void Parse_BrokenStatement_ReportsAnError(string sql)
    {
        Assert.NotEmpty(Parse(sql).Errors);
    }

    [Fact]
    public void Parse_SqliteDialectStatement_ReportsAnError()
    {
        // The same check tells the dialects apart: SQLite's upsert-or-skip is not T-SQL.
        var sqlite = NestedConstants("Sqlite").Single(s => s.Name == "ClientRepository.Sqlite.InsertClientIfMissing");

        Assert.NotEmpty(Parse(sqlite.Sql).Errors);
    }

    private static List<(string Name, string Sql)> AllSqlServerSql() =>
    [
        .. Migrator.Scripts(SqlDialect.SqlServer).Select(s => ($"migration {s.Name}", s.Sql)),
        .. SqlServerStatements(),
    ];

    /// <summary>
    /// The statements as SQL Server receives them: its own, and the portable ones with their tables qualified; Dapper
    /// first expands a list parameter (<c>IN @Ids</c>) to <c>IN (@Ids1, ...)</c>.
    /// </summary>
    internal static List<(string Name, string Sql)> SqlServerStatements() =>
    [
        .. NestedConstants("SqlServer")
            .Concat(NestedConstants("Portable").Select(s => (s.Name, Sql: Database.QualifyForSqlServer(s.Sql))))
            .Select(s => (s.Name, DapperListParameter().Replace(s.Sql, "IN (@$1)"))),
    ];

    /// <summary>Every <c>const string</c> of every nested class with that name (<c>private static class SqlServer</c>).</summary>
    internal static List<(string Name, string Sql)> NestedConstants(string className) =>
    [
        .. typeof(Database).Assembly.GetTypes()
            .Where(t => t.IsNested && t.Name == className)
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
                .Where(f => f.IsLiteral && f.FieldType == typeof(string))
                .Select(f => ($"{t.DeclaringType!.Name}.{className}.{f.Name}", (string)f.GetRawConstantValue()!))),
    ];

    [GeneratedRegex(@"^\s*GO\s*(\d+\s*)?$", RegexOptions.IgnoreCase | RegexOptions.Multiline)]
    private static partial Regex GoLine();

    [GeneratedRegex(@"\bIN\s+@(\w+)", RegexOptions.IgnoreCase)]
    private static partial Regex DapperListParameter();

    internal static (int Statements, IList<ParseError> Errors) Parse(string sql)
    {
        var parser = new TSql160Parser(initialQuotedIdentifiers: true);
        using var reader = new StringReader(sql);
        var fragment = parser.Parse(reader, out var errors);
        var statements = fragment is TSqlScript script ? script.Batches.Sum(b => b.Statements.Count) : 0;
        return (statements, errors);
    }
}
