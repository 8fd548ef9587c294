using System.Diagnostics;
using System.Net;

namespace CleanWebhooks.Delivery.Tests.Operations;

/// <summary>
/// Eight writers — intake (group-committed together) and registrations — arrive while another connection holds the
/// database's write lock: each is answered 503 within <c>Database:BusyTimeout</c> + 1 s of its own arrival. (Before,
/// a group-commit batch queued behind one that had waited out the lock waited a whole busy timeout more.)
/// </summary>
[Collection(StorageFaults.Name)]
public sealed class LockedDatabaseWritersTests : DeliveryFixture
{
    private static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(2);

    public LockedDatabaseWritersTests() => Factory.Settings["Database:BusyTimeout"] = "00:00:02";

    [Fact]
    public async Task EightWritersOnALockedDatabase_EachAnswered503WithinBusyTimeoutAndASecond()
    {
        using var integrator = await Factory.CreateIntegratorAsync("A");
        using var registering = await Factory.CreateIntegratorAsync("B");
        await integrator.CreateWebhookAsync(Receiver.Url("/a/:id"));
        await using var held = await HeldDatabaseLock.TakeAsync(Factory.DatabasePath);

        async Task<(string Writer, Answer Answer, TimeSpan Took)> Timed(string writer, Func<Task<Answer>> write)
        {
            var stopwatch = Stopwatch.StartNew();
            var answer = await write();
            return (writer, answer, stopwatch.Elapsed);
        }

        // Staggered a little, so that the intake's group commit makes several batches that queue behind each other.
        var writes = new List<Task<(string Writer, Answer Answer, TimeSpan Took)>>();
        for (var i = 0; i < 6; i++)
        {
            var document = $"locked-{i}";
            writes.Add(Timed($"intake {document}", () => Factory.TryReportAsync(integrator.ClientId, document)));
            await Task.Delay(TimeSpan.FromMilliseconds(150));
        }

        writes.Add(Timed("client registration", () => Factory.CreateClientAsync("C")));
        writes.Add(Timed("webhook registration", () => registering.TryCreateWebhookAsync(Receiver.Url("/b/:id"))));
        var answers = await Task.WhenAll(writes);

        await held.ReleaseAsync();

        foreach (var (writer, answer, _) in answers)
        {
            answer.AssertStorageUnavailable(writer);
        }

        var late = answers.Where(a => a.Took > BusyTimeout + TimeSpan.FromSeconds(1)).ToList();
        Assert.True(late.Count == 0, "Answered later than BusyTimeout + 1 s: " + string.Join(", ", late.Select(a => $"{a.Writer} after {a.Took.TotalSeconds:0.00} s")));
    }
}
