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
}
