using System.Diagnostics;
using System.Net;
using CleanWebhooks.Infrastructure.Persistence;

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
        await Task.Delay(DatabaseHealthCheck.CacheFor);
        var answers = new List<(TimeSpan Waited, TimeSpan Late)>();
        for (var i = 0; i < 3; i++)
        {
            // Timed on the thread pool, as a client of the service would be: the test's own continuations run on
            // xunit's context, which resumes them only when one of its few threads is free (a busy round measured
            // 1,225 ms here while the pool ran 18 ms late). The check's answer rests on a 500 ms timer whose
            // continuation needs a thread of the pool this process shares with every test beside it: a timer of the
            // same length, started with the request, says how late the machine runs such continuations now. That
            // much, up to a second, is not the service's to answer for; past 2 s a load balancer's probe would time
            // out, whatever the cause.
            var (status, waited, late) = await Task.Run(async () =>
            {
                var stopwatch = Stopwatch.StartNew();
                var lateness = LatenessOfAsync(DatabaseHealthCheck.AnswerWithin);
                var status = await Factory.ReadyAsync();
                var waited = stopwatch.Elapsed;
                return (status, waited, await lateness);
            });
            answers.Add((waited, late));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        }

        Assert.True(
            answers.All(a => a.Waited < TimeSpan.FromSeconds(1) + (a.Late < TimeSpan.FromSeconds(1) ? a.Late : TimeSpan.FromSeconds(1))),
            $"Readiness answered after {string.Join(", ", answers.Select(a => $"{a.Waited.TotalMilliseconds:0} ms (timers {a.Late.TotalMilliseconds:0} ms late)"))}.");

        await held.ReleaseAsync();

        await StoredRows.WaitUntilAsync(async () => await Factory.ReadyAsync() == HttpStatusCode.OK, "ready 200 once the lock is released", TimeSpan.FromSeconds(20));
    }

    /// <summary>How much later than <paramref name="delay"/> an awaited delay of that length resumes on the thread pool, as the service's timer does.</summary>
    private static async Task<TimeSpan> LatenessOfAsync(TimeSpan delay)
    {
        var started = Stopwatch.GetTimestamp();
        await Task.Delay(delay).ConfigureAwait(false);
        var late = Stopwatch.GetElapsedTime(started) - delay;
        return late > TimeSpan.Zero ? late : TimeSpan.Zero;
    }
}
