namespace CleanWebhooks.Infrastructure.Tests.Persistence;

/// <summary>
/// A fact that needs a SQL Server: skipped, saying why, unless <c>CLEANWEBHOOKS_TEST_SQLSERVER</c> holds a connection
/// string. (xunit 2 cannot skip from inside a test, so the decision is made when the attribute is read.)
/// </summary>
public sealed class SqlServerFactAttribute : FactAttribute
{
    public const string Variable = "CLEANWEBHOOKS_TEST_SQLSERVER";

    public SqlServerFactAttribute()
    {
        if (ConnectionString is null)
        {
            Skip = $"{Variable} is not set: set it to a SQL Server connection string to run the SQL Server repository contract.";
        }
    }

    public static string? ConnectionString =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value && !string.IsNullOrWhiteSpace(value) ? value : null;
}
