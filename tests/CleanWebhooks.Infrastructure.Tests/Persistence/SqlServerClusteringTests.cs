using System.Data.SqlTypes;
using CleanWebhooks.Infrastructure.Persistence;
using CleanWebhooks.Infrastructure.Persistence.Migrations;
using Dapper;
using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace CleanWebhooks.Infrastructure.Tests.Persistence;

/// <summary>
/// On SQL Server a table's rows are stored in the order of its clustered index. The busiest tables must cluster on an
/// ever-increasing key (an IDENTITY column), not on a version 7 uuid, which SQL Server's uniqueidentifier order does
/// not see as time-ordered: every insert would land on a random page and split it (docs/decisions/0012).
/// </summary>
public class SqlServerClusteringTests(SqlServerContractDatabase database) : IClassFixture<SqlServerContractDatabase>
{
    private static readonly string[] Busiest = ["events", "deliveries", "delivery_attempts"];

    [Fact]
    public void Migrations_BusiestTables_ClusterOnAnIdentityColumn()
    {
        var schema = new SchemaVisitor();
        foreach (var (_, sql) in Migrator.Scripts(SqlDialect.SqlServer))
        {
            using var reader = new StringReader(sql);
            new TSql160Parser(initialQuotedIdentifiers: true).Parse(reader, out _).Accept(schema);
        }

        foreach (var table in Busiest)
        {
            var clustered = Assert.Single(schema.Clustered[table]);
            Assert.Contains((table, clustered), schema.Identity);
        }

        // The walk sees what the first migration made: webhooks still cluster on their primary key.
        Assert.Equal(["id"], schema.Clustered["webhooks"]);
    }

    [Fact]
    public void Version7Ids_ConsecutiveInTime_AreOrderedAsBytesButNotInSqlServersOrder()
    {
        // Why the clustering key is not the id: 1,000 ids a millisecond apart, increasing for PostgreSQL and SQLite,
        // are nowhere near increasing in SQL Server's uniqueidentifier order (SqlGuid compares the last six bytes first).
        var ids = Enumerable.Range(0, 1000).Select(i => Guid.CreateVersion7(DateTimeOffset.UnixEpoch.AddYears(56).AddMilliseconds(i))).ToList();

        var increasingAsBytes = ids.Zip(ids.Skip(1)).Count(p => p.First.CompareTo(p.Second) < 0);
        var increasingForSqlServer = ids.Zip(ids.Skip(1)).Count(p => new SqlGuid(p.First).CompareTo(new SqlGuid(p.Second)) < 0);

        Assert.Equal(999, increasingAsBytes);
        Assert.InRange(increasingForSqlServer, 300, 700);
    }

    [SqlServerFact]
    public async Task Database_BusiestTables_ClusterOnAnIdentityColumn()
    {
        await using var connection = await database.Database.OpenAsync(default);
        foreach (var table in Busiest)
        {
            var columns = (await connection.QueryAsync<(string Name, bool IsIdentity)>(
                "SELECT c.name, c.is_identity FROM sys.indexes i JOIN sys.index_columns ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id " +
                "JOIN sys.columns c ON c.object_id = ic.object_id AND c.column_id = ic.column_id WHERE i.type = 1 AND i.object_id = OBJECT_ID(@Table);",
                new { Table = "dbo." + table })).ToList();

            var key = Assert.Single(columns);
            Assert.True(key.IsIdentity, $"{table} clusters on {key.Name}, not an IDENTITY column.");
        }
    }

    /// <summary>Per table, the columns of its clustered index (a primary key is clustered unless it says otherwise), and the IDENTITY columns.</summary>
    private sealed class SchemaVisitor : TSqlFragmentVisitor
    {
        private readonly Dictionary<string, string> _clusteredConstraint = new(StringComparer.OrdinalIgnoreCase);

        public Dictionary<string, List<string>> Clustered { get; } = new(StringComparer.OrdinalIgnoreCase);

        public HashSet<(string Table, string Column)> Identity { get; } = [];

        public override void Visit(CreateTableStatement node) => Add(Table(node.SchemaObjectName), node.Definition);

        public override void Visit(AlterTableAddTableElementStatement node) => Add(Table(node.SchemaObjectName), node.Definition);

        public override void Visit(AlterTableDropTableElementStatement node)
        {
            var table = Table(node.SchemaObjectName);
            foreach (var element in node.AlterTableDropTableElements)
            {
                if (_clusteredConstraint.TryGetValue(table, out var name) && string.Equals(name, element.Name.Value, StringComparison.OrdinalIgnoreCase))
                {
                    Clustered.Remove(table);
                    _clusteredConstraint.Remove(table);
                }
            }
        }

        public override void Visit(CreateIndexStatement node)
        {
            if (node.Clustered == true)
            {
                Clustered[Table(node.OnName)] = [.. node.Columns.Select(c => c.Column.MultiPartIdentifier.Identifiers[^1].Value)];
            }
        }

        private void Add(string table, TableDefinition definition)
        {
            foreach (var column in definition.ColumnDefinitions)
            {
                if (column.IdentityOptions is not null)
                {
                    Identity.Add((table, column.ColumnIdentifier.Value));
                }

                foreach (var key in column.Constraints.OfType<UniqueConstraintDefinition>().Where(k => k.IsPrimaryKey && k.Clustered != false))
                {
                    Cluster(table, key, [column.ColumnIdentifier.Value]);
                }
            }

            foreach (var key in definition.TableConstraints.OfType<UniqueConstraintDefinition>().Where(k => k.IsPrimaryKey && k.Clustered != false))
            {
                Cluster(table, key, [.. key.Columns.Select(c => c.Column.MultiPartIdentifier.Identifiers[^1].Value)]);
            }
        }

        private void Cluster(string table, UniqueConstraintDefinition key, List<string> columns)
        {
            Clustered[table] = columns;
            _clusteredConstraint[table] = key.ConstraintIdentifier?.Value ?? "";
        }

        private static string Table(SchemaObjectName name) => name.BaseIdentifier.Value;
    }
}
