using System.Diagnostics;
using System.Net;

namespace CleanWebhooks.Delivery.Tests.Operations;

/// <summary>
/// While another connection holds the database's write lock, <c>/health/ready</c> answers 503 within a second (a load
/// balancer's 2 s probe must see a 503, not a time-out), although a write waits <c>Database:BusyTimeout</c> (5 s by
/// default) before giving up; once the lock is released it answers 200 again.
/// </summary>
[Collection(StorageFaults.Name)]
public sealed class ReadinessUnderLockTests : DeliveryFixture
{
    [Fact]
    public async Task Ready_DatabaseLockedByAnotherConnection_503WithinASecondThen200()
    {
        Assert.Equal(HttpStatusCode.OK, await Factory.ReadyAsync());
        await using var held = await HeldDatabaseLock.TakeAsync(Factory.DatabasePath);

        // Past the one second for which the last (healthy) probe is kept.
        await Task.Delay(CleanWebhooks.Infrastructure.Persistence.DatabaseHealthCheck.CacheFor);
        var waited = new List<TimeSpan>();
        for (var i = 0; i < 3; i++)
        {
            var stopwatch = Stopwatch.StartNew();
            var status = await Factory.ReadyAsync();
            waited.Add(stopwatch.Elapsed);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        }

        Assert.True(waited.All(w => w < TimeSpan.FromSeconds(1)), $"Readiness answered after {string.Join(", ", waited.Select(w => $"{w.TotalMilliseconds:0} ms"))}.");

        await held.ReleaseAsync();

        await StoredRows.WaitUntilAsync(async () => await Factory.ReadyAsync() == HttpStatusCode.OK, "ready 200 once the lock is released", TimeSpan.FromSeconds(20));
    }
}
