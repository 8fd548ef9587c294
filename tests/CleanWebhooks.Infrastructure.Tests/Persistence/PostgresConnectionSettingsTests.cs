using CleanWebhooks.Infrastructure.Persistence;
using Npgsql;

namespace CleanWebhooks.Infrastructure.Tests.Persistence;

/// <summary>
/// What the service adds to a PostgreSQL connection string (ADR 10): its statements prepared per connection, no reset
/// of a pooled connection, the busy timeout as Npgsql's command timeout; each only when the operator did not set it.
/// </summary>
public sealed class PostgresConnectionSettingsTests
{
    private static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(5);

    [Fact]
    public void PreparePostgres_NothingSet_PreparesStatementsAndKeepsPooledConnectionsAsTheyAre()
    {
        var prepared = new NpgsqlConnectionStringBuilder(Database.PreparePostgres("Host=db;Username=app", BusyTimeout));

        Assert.Equal(64, prepared.MaxAutoPrepare);
        Assert.Equal(2, prepared.AutoPrepareMinUsages);
        Assert.True(prepared.NoResetOnClose);
        Assert.Equal(5, prepared.CommandTimeout);
    }

    [Fact]
    public void PreparePostgres_OperatorsOwnValues_AreKept()
    {
        var prepared = new NpgsqlConnectionStringBuilder(Database.PreparePostgres(
            "Host=db;Username=app;Max Auto Prepare=0;No Reset On Close=false;Command Timeout=30", BusyTimeout));

        Assert.Equal(0, prepared.MaxAutoPrepare);
        Assert.False(prepared.NoResetOnClose);
        Assert.Equal(30, prepared.CommandTimeout);
    }
}
