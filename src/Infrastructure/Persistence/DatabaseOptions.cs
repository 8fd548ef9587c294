using System.Data.Common;
using CleanWebhooks.Application.Common.Settings;

namespace CleanWebhooks.Infrastructure.Persistence;

public enum SqlDialect
{
    Sqlite,
    SqlServer,
    PostgreSql,
}

/// <summary>The <c>Database</c> configuration section and <c>ConnectionStrings:CleanWebhooks</c>.</summary>
public sealed class DatabaseOptions : ISettingsSection
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

    /// <summary>
    /// How long a statement may wait for the database (a lock held elsewhere, a server that does not answer) before
    /// it fails and the request is answered <c>503</c>. SQLite counts it in whole seconds.
    /// </summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Each setting that cannot work, named by its key (never a connection string's content: it may hold a password).</summary>
    public IEnumerable<string> Problems()
    {
        string?[] problems =
        [
            string.IsNullOrWhiteSpace(ConnectionString) ? $"ConnectionStrings:{ConnectionStringName} is empty." : UnreadableConnectionString(),
            Enum.IsDefined(Provider) ? null : $"Database:Provider must be one of {string.Join(", ", Enum.GetNames<SqlDialect>())} (got {(int)Provider}).",
            SettingsSections.Positive("Database:MigrationLockTimeout", MigrationLockTimeout),
            SettingsSections.Positive("Database:BusyTimeout", BusyTimeout),
        ];
        return problems.OfType<string>();
    }

    private string? UnreadableConnectionString()
    {
        try
        {
            _ = new DbConnectionStringBuilder { ConnectionString = ConnectionString };
            return null;
        }
        catch (ArgumentException)
        {
            return $"ConnectionStrings:{ConnectionStringName} is not a connection string (key=value pairs separated by ';').";
        }
    }
}
