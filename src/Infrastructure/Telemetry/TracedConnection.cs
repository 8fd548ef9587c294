using System.Buffers;
using System.Data;
using System.Data.Common;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;

namespace CleanWebhooks.Infrastructure.Telemetry;

/// <summary>
/// A connection whose commands are spans (<c>db.system.name</c>, <c>db.operation.name</c>, <c>db.query.text</c>: the
/// statement with its placeholders, never the values). Used only while tracing listens, so the untraced service pays
/// nothing; a statement is a span only inside another (a request, an attempt, an intake commit), so the dispatcher's
/// idle polling does not become a trace every second.
/// </summary>
internal sealed class TracedConnection(DbConnection inner, string system) : DbConnection
{
    public DbConnection Inner => inner;

    [AllowNull]
    public override string ConnectionString
    {
        get => inner.ConnectionString;
        set => inner.ConnectionString = value;
    }

    public override string Database => inner.Database;

    public override string DataSource => inner.DataSource;

    public override string ServerVersion => inner.ServerVersion;

    public override ConnectionState State => inner.State;

    /// <summary>The provider's own connection under <paramref name="connection"/>.</summary>
    public static DbConnection Unwrap(DbConnection connection) => connection is TracedConnection traced ? traced.Inner : connection;

    public override void ChangeDatabase(string databaseName) => inner.ChangeDatabase(databaseName);

    public override void Close() => inner.Close();

    public override void Open() => inner.Open();

    public override Task OpenAsync(CancellationToken cancellationToken) => inner.OpenAsync(cancellationToken);

    protected override DbTransaction BeginDbTransaction(IsolationLevel isolationLevel) => inner.BeginTransaction(isolationLevel);

    protected override ValueTask<DbTransaction> BeginDbTransactionAsync(IsolationLevel isolationLevel, CancellationToken cancellationToken) =>
        inner.BeginTransactionAsync(isolationLevel, cancellationToken);

    protected override DbCommand CreateDbCommand() => new TracedCommand(inner.CreateCommand(), this, system);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private sealed class TracedCommand(DbCommand inner, DbConnection connection, string system) : DbCommand
    {
        private static readonly SearchValues<char> KeywordEnd = SearchValues.Create(" \t\r\n;(");

        private DbConnection? _connection = connection;

        [AllowNull]
        public override string CommandText
        {
            get => inner.CommandText;
            set => inner.CommandText = value;
        }

        public override int CommandTimeout
        {
            get => inner.CommandTimeout;
            set => inner.CommandTimeout = value;
        }

        public override CommandType CommandType
        {
            get => inner.CommandType;
            set => inner.CommandType = value;
        }

        public override bool DesignTimeVisible
        {
            get => inner.DesignTimeVisible;
            set => inner.DesignTimeVisible = value;
        }

        public override UpdateRowSource UpdatedRowSource
        {
            get => inner.UpdatedRowSource;
            set => inner.UpdatedRowSource = value;
        }

        protected override DbConnection? DbConnection
        {
            get => _connection;
            set
            {
                _connection = value;
                inner.Connection = value is null ? null : Unwrap(value);
            }
        }

        protected override DbParameterCollection DbParameterCollection => inner.Parameters;

        protected override DbTransaction? DbTransaction
        {
            get => inner.Transaction;
            set => inner.Transaction = value;
        }

        public override void Cancel() => inner.Cancel();

        public override void Prepare() => inner.Prepare();

        public override int ExecuteNonQuery()
        {
            using var activity = Start();
            return Traced(activity, inner.ExecuteNonQuery);
        }

        public override object? ExecuteScalar()
        {
            using var activity = Start();
            return Traced(activity, inner.ExecuteScalar);
        }

        public override async Task<int> ExecuteNonQueryAsync(CancellationToken cancellationToken)
        {
            using var activity = Start();
            return await TracedAsync(activity, inner.ExecuteNonQueryAsync(cancellationToken));
        }

        public override async Task<object?> ExecuteScalarAsync(CancellationToken cancellationToken)
        {
            using var activity = Start();
            return await TracedAsync(activity, inner.ExecuteScalarAsync(cancellationToken));
        }

        protected override DbParameter CreateDbParameter() => inner.CreateParameter();

        protected override DbDataReader ExecuteDbDataReader(CommandBehavior behavior)
        {
            using var activity = Start();
            return Traced(activity, () => inner.ExecuteReader(behavior));
        }

        protected override async Task<DbDataReader> ExecuteDbDataReaderAsync(CommandBehavior behavior, CancellationToken cancellationToken)
        {
            using var activity = Start();
            return await TracedAsync(activity, inner.ExecuteReaderAsync(behavior, cancellationToken));
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        private static T Traced<T>(Activity? activity, Func<T> execute)
        {
            try
            {
                return execute();
            }
            catch (Exception e)
            {
                Failed(activity, e);
                throw;
            }
        }

        private static async Task<T> TracedAsync<T>(Activity? activity, Task<T> execution)
        {
            try
            {
                return await execution;
            }
            catch (Exception e)
            {
                Failed(activity, e);
                throw;
            }
        }

        private static void Failed(Activity? activity, Exception exception)
        {
            activity?.SetTag("error.type", exception.GetType().FullName);
            activity?.SetStatus(ActivityStatusCode.Error, exception.Message);
        }

        private Activity? Start()
        {
            if (Activity.Current is null)
            {
                return null;
            }

            var text = inner.CommandText ?? "";
            var operation = Operation(text);
            var activity = Tracing.Source.StartActivity($"{operation} {system}", ActivityKind.Client);
            activity?.SetTag("db.system.name", system)
                .SetTag("db.operation.name", operation)
                .SetTag("db.query.text", text);
            return activity;
        }

        /// <summary>The statement's first keyword: SELECT, INSERT, UPDATE, WITH, PRAGMA...</summary>
        private static string Operation(string text)
        {
            var trimmed = text.AsSpan().TrimStart();
            var end = trimmed.IndexOfAny(KeywordEnd);
            return (end < 0 ? trimmed : trimmed[..end]).ToString().ToUpperInvariant();
        }
    }
}
