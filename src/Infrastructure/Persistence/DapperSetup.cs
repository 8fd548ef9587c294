using System.Collections.Frozen;
using System.Data;
using System.Globalization;
using System.Text.Json;
using Dapper;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;

namespace CleanWebhooks.Infrastructure.Persistence;

/// <summary>
/// Dapper's process-wide settings. SQLite has no Guid or timestamp types: both are TEXT there, and Dapper needs
/// these handlers to read them back. Guids are written by Microsoft.Data.Sqlite itself (upper case). Timestamps
/// are written by our handler: UTC, fixed-width ISO 8601 on SQLite (so text order is time order), UTC
/// <c>datetimeoffset</c> on SQL Server, <c>timestamptz</c> on PostgreSQL (Npgsql accepts only offset zero there, and
/// reads it back as a UTC <see cref="DateTime"/>). Guids are native <c>uuid</c> on PostgreSQL.
/// </summary>
internal static class DapperSetup
{
    private static int _configured;

    /// <summary>
    /// The parameters that SQL Server compares with, or writes to, a <c>VARCHAR</c> column (<c>caller</c>,
    /// <c>status</c>, <c>locked_by</c>, <c>method</c>, <c>authorization_method</c>, <c>trace_parent</c>). They go out
    /// as <c>varchar</c>: an <c>nvarchar</c> parameter makes SQL Server convert the column instead, and under a SQL
    /// collation (the common <c>SQL_Latin1_General_CP1_CI_AS</c>) that turns an index seek into a scan. Every other
    /// string stays <c>nvarchar</c>, so no text outside Latin-1 is lost. A test walks every SQL Server statement
    /// and fails when a parameter bound to a VARCHAR column is missing here (or one bound to NVARCHAR is listed).
    /// </summary>
    internal static readonly FrozenSet<string> AnsiParameters = FrozenSet.Create(
        StringComparer.Ordinal, "Caller", "Status", "Owner", "OwnerPattern", "Method", "AuthorizationMethod", "TraceParent", "LockedBy");

    public static void EnsureConfigured()
    {
        if (Interlocked.Exchange(ref _configured, 1) == 1)
        {
            return;
        }

        DefaultTypeMap.MatchNamesWithUnderscores = true;
        SqlMapper.AddTypeHandler(new GuidHandler());
        // Dapper consults its built-in type map before any handler, so without this the handler below never
        // writes a parameter: SQLite would get the provider's own "yyyy-MM-dd HH:mm:ss.FFFFFFFzzz" in whatever offset
        // the caller used, and SQL Server the caller's offset, read back as such.
        SqlMapper.RemoveTypeMap(typeof(DateTimeOffset));
        SqlMapper.RemoveTypeMap(typeof(DateTimeOffset?));
        SqlMapper.AddTypeHandler(typeof(DateTimeOffset), new DateTimeOffsetHandler());
        // The same for strings: the handler sees the parameter's name and provider, so the varchar choice is made
        // here once rather than with a DbString at every call site.
        SqlMapper.RemoveTypeMap(typeof(string));
        SqlMapper.AddTypeHandler(typeof(string), new StringHandler());
        SqlMapper.AddTypeHandler(new DisabledReasonHandler());
    }

    /// <summary>A timestamp as SQLite stores it: UTC, fixed-width ISO 8601, so that text order is time order.</summary>
    public static string SqliteTimestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// Ids as one JSON array of SQLite's text for a uuid (what Microsoft.Data.Sqlite writes for a <see cref="Guid"/>
    /// parameter: upper case), for a statement that reads them with <c>json_each</c>: one text, compiled once,
    /// whatever the number of ids.
    /// </summary>
    public static string SqliteIdArray(IEnumerable<Guid> ids) =>
        JsonSerializer.Serialize(ids.Select(id => id.ToString().ToUpperInvariant()).Distinct());

    /// <summary>
    /// <c>varchar</c> for the <see cref="AnsiParameters"/> on SQL Server, <c>nvarchar</c> otherwise. Dapper sets the
    /// size afterwards as it always does (4000, or max beyond), so each statement keeps one cached plan.
    /// </summary>
    private sealed class StringHandler : SqlMapper.ITypeHandler
    {
        public void SetValue(IDbDataParameter parameter, object value)
        {
            parameter.DbType = parameter is SqlParameter && AnsiParameters.Contains(parameter.ParameterName) ? DbType.AnsiString : DbType.String;
            parameter.Value = value ?? DBNull.Value;
        }

        public object Parse(Type destinationType, object value) => value as string ?? Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
    }

    /// <summary>A webhook's disabled reason goes to its column as <see cref="Webhooks.DisabledReasonColumn"/> writes it; rows read it back as text.</summary>
    private sealed class DisabledReasonHandler : SqlMapper.TypeHandler<Domain.Webhooks.DisabledReason>
    {
        public override void SetValue(IDbDataParameter parameter, Domain.Webhooks.DisabledReason? value)
        {
            parameter.DbType = DbType.String;
            parameter.Value = (object?)Webhooks.DisabledReasonColumn.Write(value) ?? DBNull.Value;
        }

        public override Domain.Webhooks.DisabledReason? Parse(object value) => Webhooks.DisabledReasonColumn.Read(value as string);
    }

    private sealed class GuidHandler : SqlMapper.TypeHandler<Guid>
    {
        public override void SetValue(IDbDataParameter parameter, Guid value) => parameter.Value = value;

        public override Guid Parse(object value) => value switch
        {
            Guid guid => guid,
            string text => Guid.Parse(text),
            byte[] bytes => new Guid(bytes),
            _ => throw new DataException($"Cannot read a Guid from {value.GetType()}."),
        };
    }

    /// <summary>
    /// Written as UTC; a null goes out typed as a timestamp too (not as the provider's untyped default), so that a
    /// server can compare it without guessing.
    /// </summary>
    private sealed class DateTimeOffsetHandler : SqlMapper.ITypeHandler
    {
        public void SetValue(IDbDataParameter parameter, object value)
        {
            var sqlite = parameter is SqliteParameter;
            parameter.DbType = sqlite ? DbType.String : DbType.DateTimeOffset;
            parameter.Value = value switch
            {
                DateTimeOffset time when sqlite => SqliteTimestamp(time),
                DateTimeOffset time => time.ToUniversalTime(),
                _ => DBNull.Value,
            };
        }

        public object Parse(Type destinationType, object value) => value switch
        {
            DateTimeOffset dto => dto,
            DateTime dt => new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Utc)),
            string text => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal),
            _ => throw new DataException($"Cannot read a DateTimeOffset from {value.GetType()}."),
        };
    }
}
