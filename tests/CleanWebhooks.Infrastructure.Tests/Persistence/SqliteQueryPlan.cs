using System.Data.Common;
using Dapper;

namespace CleanWebhooks.Infrastructure.Tests.Persistence;

/// <summary>What SQLite's <c>EXPLAIN QUERY PLAN</c> says of a statement: the <c>detail</c> of each step, in order.</summary>
internal static class SqliteQueryPlan
{
    public static async Task<List<string>> OfAsync(DbConnection connection, string sql, object parameters) =>
        [.. (await connection.QueryAsync("EXPLAIN QUERY PLAN " + sql, parameters)).Select(row => (string)((IDictionary<string, object>)row)["detail"])];
}
