using CleanWebhooks.Infrastructure.Persistence;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;

namespace CleanWebhooks.Infrastructure.Tests.Persistence;

/// <summary>
/// The readiness probe answers Unhealthy, saying why, for a database it cannot reach or cannot use as configured;
/// it never throws (a throwing check is a 500 and a stack trace in the log instead of a clear 503).
/// </summary>
public sealed class DatabaseHealthCheckTests
{
    [Fact]
    public async Task CheckHealth_ConnectionStringTheProviderCannotHonour_IsUnhealthyWithAConfigurationMessage()
    {
        // A password asks for an encrypted file: the SQLite library the service ships has no encryption, and says
        // so (InvalidOperationException) when the connection opens, not when the string is parsed.
        var folder = Path.Combine(Path.GetTempPath(), "cleanwebhooks-tests", Guid.NewGuid().ToString("N"));
        using var database = new Database(new DatabaseOptions
        {
            Provider = SqlDialect.Sqlite,
            ConnectionString = $"Data Source={Path.Combine(folder, "health.db")};Password=secret",
        });

        var result = await CheckAsync(database);

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.True(
            result.Description?.StartsWith("The database connection is not configured correctly", StringComparison.Ordinal),
            $"{result.Description} ({result.Exception?.GetType()}: {result.Exception?.Message})");
        Assert.Contains("encryption", result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckHealth_ServerThatDoesNotAnswer_IsUnhealthyAsAStorageFault()
    {
        using var database = new Database(new DatabaseOptions
        {
            Provider = SqlDialect.PostgreSql,
            ConnectionString = "Host=127.0.0.1;Port=1;Username=nobody;Timeout=2",
        });

        var result = await CheckAsync(database);

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Equal("The database cannot be written.", result.Description);
    }

    /// <summary>The probe's own verdict: a check answers at once while a slow probe runs, and the probe's result serves the next checks.</summary>
    private static async Task<HealthCheckResult> CheckAsync(Database database)
    {
        var check = new DatabaseHealthCheck(database, new StorageFaultClassifier(), TimeProvider.System, NullLogger<DatabaseHealthCheck>.Instance);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var result = await check.CheckHealthAsync(new HealthCheckContext());
            if (result.Description?.StartsWith("The database did not take a write within", StringComparison.Ordinal) != true || DateTime.UtcNow > deadline)
            {
                return result;
            }
        }
    }
}
