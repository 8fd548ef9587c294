namespace CleanWebhooks.Infrastructure.Persistence;

public enum SqlDialect
{
    Sqlite,
    SqlServer,
    PostgreSql,
}

/// <summary>The <c>Database</c> configuration section and <c>ConnectionStrings:CleanWebhooks</c>.</summary>
public sealed class DatabaseOptions
{
    public const string SectionName = "Database";
    public const string ConnectionStringName = "CleanWebhooks";
    public const string DefaultSqliteConnectionString = "Data Source=data/cleanwebhooks.db";

    public SqlDialect Provider { get; set; } = SqlDialect.Sqlite;

    public string ConnectionString { get; set; } = DefaultSqliteConnectionString;

    /// <summary>
    /// How long a starting node waits for another node's migration (<c>Database:MigrationLockTimeout</c>); the
    /// migration statements may run this long again.
    /// </summary>
    public TimeSpan MigrationLockTimeout { get; set; } = TimeSpan.FromSeconds(60);
}
