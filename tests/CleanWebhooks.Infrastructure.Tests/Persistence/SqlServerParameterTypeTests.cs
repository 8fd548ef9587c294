using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using CleanWebhooks.Infrastructure.Persistence;
using CleanWebhooks.Infrastructure.Persistence.Migrations;
using Dapper;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace CleanWebhooks.Infrastructure.Tests.Persistence;

/// <summary>
/// Strings bound to a VARCHAR column go to SQL Server as varchar (an nvarchar parameter makes it convert the column,
/// and under a SQL collation an index seek becomes a scan); every other string stays nvarchar.
/// </summary>
public class SqlServerParameterTypeTests
{
    [Fact]
    public async Task Execute_OnSqlServer_SendsVarcharParametersAsAnsiAndTheOthersAsUnicode()
    {
        var command = await BuildWithDapperAsync(new SqlConnection("Server=127.0.0.1,1;Database=never_opened"));

        var parameters = command.Parameters.Cast<SqlParameter>().ToDictionary(p => p.ParameterName);
        Assert.Equal(SqlDbType.VarChar, parameters["Caller"].SqlDbType);
        Assert.Equal(SqlDbType.VarChar, parameters["Owner"].SqlDbType);
        Assert.Equal(SqlDbType.VarChar, parameters["Status"].SqlDbType);
        Assert.Equal(DBNull.Value, parameters["TraceParent"].Value);
        Assert.Equal(SqlDbType.VarChar, parameters["TraceParent"].SqlDbType);
        Assert.Equal(SqlDbType.NVarChar, parameters["Name"].SqlDbType);
        Assert.Equal("Zoë 名前", parameters["Name"].Value);
    }

    [Fact]
    public async Task Execute_OnSqlite_SendsEveryStringAsUnicodeText()
    {
        await using var sqlite = new SqliteConnection("Data Source=:memory:");
        var command = await BuildWithDapperAsync(sqlite);

        Assert.All(command.Parameters.Cast<SqliteParameter>(), p => Assert.Equal(DbType.String, p.DbType));
    }

    [Fact]
    public void AnsiParameters_EveryParameterBoundToAColumn_IsVarcharExactlyWhenTheColumnIs()
    {
        var columns = SqlServerColumnTypes();
        var bindings = SqlServerSyntaxTests.SqlServerStatements()
            .SelectMany(s => Bindings(s.Sql).Select(b => (Statement: s.Name, b.Parameter, b.Column)))
            .Where(b => columns.ContainsKey(b.Column))
            .ToList();

        var wrong = bindings
            .Where(b => DapperSetup.AnsiParameters.Contains(b.Parameter) != (columns[b.Column] == SqlDataTypeOption.VarChar))
            .Select(b => $"{b.Statement}: @{b.Parameter} -> {b.Column} ({columns[b.Column]})")
            .Distinct()
            .ToList();

        // Guards against passing because the walk found nothing: the idempotency lookup and the lease are seen.
        Assert.Contains(bindings, b => b.Parameter == "Caller" && b.Column == "caller");
        Assert.Contains(bindings, b => b.Parameter == "Owner" && b.Column == "locked_by");
        Assert.Contains(bindings, b => b.Parameter == "Name" && b.Column == "name");
        Assert.True(wrong.Count == 0, "Parameter type against column type:" + Environment.NewLine + string.Join(Environment.NewLine, wrong));
    }

    /// <summary>Builds a command with Dapper and the service's settings; the connection is never opened, so it fails to execute.</summary>
    private static async Task<DbCommand> BuildWithDapperAsync(DbConnection provider)
    {
        DapperSetup.EnsureConfigured();
        await using var connection = new LooksOpenConnection(provider);
        await Assert.ThrowsAsync<InvalidOperationException>(() => connection.ExecuteAsync(new CommandDefinition(
            "UPDATE dbo.deliveries SET status = @Status, locked_by = @Owner WHERE caller = @Caller AND name = @Name AND trace_parent = @TraceParent;",
            new { Caller = "platform", Owner = "node-a-1", Status = "pending", Name = "Zoë 名前", TraceParent = (string?)null })));
        return connection.Command ?? throw new InvalidOperationException("Dapper created no command.");
    }

    /// <summary>Each (parameter, column) pair that a statement compares, assigns or inserts.</summary>
    private static List<(string Parameter, string Column)> Bindings(string sql)
    {
        var parser = new TSql160Parser(initialQuotedIdentifiers: true);
        using var reader = new StringReader(sql);
        var visitor = new BindingVisitor();
        parser.Parse(reader, out _).Accept(visitor);
        return visitor.Found;
    }

    private static Dictionary<string, SqlDataTypeOption> SqlServerColumnTypes()
    {
        var visitor = new ColumnVisitor();
        foreach (var (_, sql) in Migrator.Scripts(SqlDialect.SqlServer))
        {
            using var reader = new StringReader(sql);
            new TSql160Parser(initialQuotedIdentifiers: true).Parse(reader, out _).Accept(visitor);
        }

        Assert.Equal(SqlDataTypeOption.VarChar, visitor.Types["caller"]);
        Assert.Equal(SqlDataTypeOption.NVarChar, visitor.Types["name"]);
        return visitor.Types;
    }

    private static string? ColumnName(ScalarExpression expression) =>
        expression is ColumnReferenceExpression column ? column.MultiPartIdentifier.Identifiers[^1].Value : null;

    private static string? ParameterName(ScalarExpression expression) =>
        expression is VariableReference variable ? variable.Name.TrimStart('@') : null;

    private sealed class ColumnVisitor : TSqlFragmentVisitor
    {
        public Dictionary<string, SqlDataTypeOption> Types { get; } = new(StringComparer.OrdinalIgnoreCase);

        public override void Visit(ColumnDefinition node)
        {
            if (node.DataType is SqlDataTypeReference type && type.SqlDataTypeOption is SqlDataTypeOption.VarChar or SqlDataTypeOption.NVarChar)
            {
                // One name, one type: a column named alike in two tables with two string types would make the check ambiguous.
                var name = node.ColumnIdentifier.Value;
                Assert.True(!Types.TryGetValue(name, out var known) || known == type.SqlDataTypeOption, $"Column {name} is both {known} and {type.SqlDataTypeOption}.");
                Types[name] = type.SqlDataTypeOption;
            }
        }
    }

    private sealed class BindingVisitor : TSqlFragmentVisitor
    {
        public List<(string Parameter, string Column)> Found { get; } = [];

        public override void Visit(BooleanComparisonExpression node) => Pair(node.FirstExpression, node.SecondExpression);

        public override void Visit(LikePredicate node) => Pair(node.FirstExpression, node.SecondExpression);

        public override void Visit(AssignmentSetClause node)
        {
            if (node.Column is not null)
            {
                Pair(node.Column, node.NewValue);
            }
        }

        public override void Visit(InsertSpecification node)
        {
            var values = node.InsertSource switch
            {
                ValuesInsertSource v => v.RowValues.SelectMany(r => r.ColumnValues.Select((value, i) => (i, value))),
                SelectInsertSource { Select: QuerySpecification q } => q.SelectElements.OfType<SelectScalarExpression>().Select((e, i) => (i, e.Expression)),
                _ => [],
            };
            foreach (var (i, value) in values)
            {
                if (i < node.Columns.Count)
                {
                    Pair(node.Columns[i], value);
                }
            }
        }

        private void Pair(ScalarExpression a, ScalarExpression b)
        {
            if ((ColumnName(a) ?? ColumnName(b)) is { } column && (ParameterName(a) ?? ParameterName(b)) is { } parameter)
            {
                Found.Add((parameter, column));
            }
        }
    }

    /// <summary>
    /// Hands out the provider's own commands while saying it is open, so that Dapper builds a real provider command
    /// (parameters and all) without a server; executing it fails on the closed connection underneath.
    /// </summary>
    private sealed class LooksOpenConnection(DbConnection inner) : DbConnection
    {
        public DbCommand? Command { get; private set; }

        [AllowNull]
        public override string ConnectionString
        {
            get => inner.ConnectionString;
            set => inner.ConnectionString = value;
        }

        public override string Database => inner.Database;

        public override string DataSource => inner.DataSource;

        public override string ServerVersion => "";

        public override ConnectionState State => ConnectionState.Open;

        public override void ChangeDatabase(string databaseName) => throw new NotSupportedException();

        public override void Close()
        {
        }

        public override void Open() => throw new NotSupportedException();

        protected override DbTransaction BeginDbTransaction(System.Data.IsolationLevel isolationLevel) => throw new NotSupportedException();

        protected override DbCommand CreateDbCommand() => Command = inner.CreateCommand();
    }
}
