using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Infrastructure.Persistence.Migrations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CleanWebhooks.Infrastructure.Persistence;

/// <summary>
/// Brings the database up to date before the server takes requests and, where configured (Development),
/// seeds a demo client whose API key is logged so that the README's calls work at once.
/// </summary>
public sealed partial class DatabaseInitializer(
    Migrator migrator,
    IClientRepository clients,
    IConfiguration configuration,
    IHostEnvironment environment,
    TimeProvider clock,
    ILogger<DatabaseInitializer> logger)
    : IHostedService
{
    private static readonly ClientId DemoClientId = new(Guid.Parse("113d37ed-6b47-46b6-bc50-bf5d64ad3a94"));
    private static readonly ApiKeyId DemoKeyId = new(Guid.Parse("0e6f5a53-8f2c-4d0b-9d0e-5b1c2d3e4f50"));

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await migrator.MigrateAsync(cancellationToken);

        // The demo key is logged in clear: only ever in Development.
        if (environment.IsDevelopment() && configuration["Demo:ApiKey"] is { Length: > 0 } demoKey)
        {
            var now = clock.GetUtcNow();
            await clients.EnsureAsync(
                Client.Restore(DemoClientId, "Demo client", now), ApiKey.FromPlain(DemoKeyId, DemoClientId, demoKey, now), cancellationToken);
            LogDemoClient(DemoClientId, demoKey);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Demo client {ClientId} is ready: X-API-KEY: {ApiKey} (Development only)")]
    private partial void LogDemoClient(ClientId clientId, string apiKey);
}
