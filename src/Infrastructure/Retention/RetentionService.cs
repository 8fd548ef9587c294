using CleanWebhooks.Application.Retention.PurgeExpired;
using CleanWebhooks.Infrastructure.Persistence;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CleanWebhooks.Infrastructure.Retention;

/// <summary>
/// Hosts the purge: runs <see cref="PurgeExpiredCommand"/> at start and then every <c>Retention:Interval</c>. A
/// purge that fails (say the disk is full) is logged and tried again at the next interval. Several nodes may run it
/// at once: each batch re-checks what it deletes, so they only share the work.
/// </summary>
internal sealed partial class RetentionService(
    IServiceScopeFactory scopes, Database database, RetentionOptions options, TimeProvider clock, ILogger<RetentionService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await PurgeOnceAsync(stoppingToken);
                await Task.Delay(options.Interval, clock, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: a batch in progress was rolled back; the next purge redoes it.
        }
    }

    private async Task PurgeOnceAsync(CancellationToken stoppingToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var sender = scope.ServiceProvider.GetRequiredService<ISender>();
            var result = await sender.Send(new PurgeExpiredCommand(options.Period, options.BatchSize, options.BatchTime), stoppingToken);
            if (result.DeletedAny)
            {
                LogPurged(result.Deliveries, result.Events, result.IdempotencyKeys, options.Period);

                // What was deleted passed through the WAL: give that space back to the disk now.
                await database.CheckpointAsync(stoppingToken);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            LogPurgeFailed(e, options.Interval);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention purge deleted {Deliveries} deliveries, {Events} events and {Keys} idempotency keys (period {Period})")]
    private partial void LogPurged(long deliveries, long events, long keys, TimeSpan period);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retention purge failed; next try in {Interval}")]
    private partial void LogPurgeFailed(Exception exception, TimeSpan interval);
}
