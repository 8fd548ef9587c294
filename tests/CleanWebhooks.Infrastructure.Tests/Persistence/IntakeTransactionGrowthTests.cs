using System.Collections.Concurrent;
using System.Diagnostics;
using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Domain.Webhooks;
using CleanWebhooks.Infrastructure.Persistence;
using CleanWebhooks.Infrastructure.Persistence.Deliveries;
using CleanWebhooks.Infrastructure.Telemetry;
using Dapper;

namespace CleanWebhooks.Infrastructure.Tests.Persistence;

/// <summary>
/// SQLite's intake transaction takes more of a flood while no other write waits for the writer, and stops taking more
/// as soon as one does. Each test holds the write turn itself, queues one event (the writer's loop takes it and waits
/// for the turn), then the rest of the flood behind it, so that what each commit holds is known. They listen to the
/// service's traces (each commit's span says how many events it took), so they run alone: a listener makes every
/// database of the process trace its commands, which other tests of this assembly must not meet.
/// </summary>
[Collection(ListensToTraces.Name)]
public sealed class IntakeTransactionGrowthTests(SqliteContractDatabase db) : IClassFixture<SqliteContractDatabase>, IDisposable
{
    private const int Flood = 1000;

    private static readonly DateTimeOffset T0 = new(2025, 6, 2, 12, 0, 0, TimeSpan.Zero);

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly ConcurrentQueue<Activity> _commits = new();

    /// <summary>The trace of each event of the flood: each is reported in a trace of its own.</summary>
    private readonly ConcurrentDictionary<ActivityTraceId, bool> _traces = new();

    private ActivityListener? _listener;

    [Fact]
    public async Task Flood_WhileNoOtherWriteWaits_TheTransactionTakesMoreThanWhatItStartedWith()
    {
        var (client, webhook) = await NewWebhookAsync();
        await using var intake = new IntakeWriter(db.Database);

        var answers = await Task.WhenAll(await FloodAsync(intake, client, webhook, whileHeld: _ => Task.CompletedTask));

        Assert.All(answers, answer => Assert.True(answer.Created));
        Assert.Equal(Flood, await EventsOfAsync(client));
        var commits = _commits.OrderBy(a => a.StartTimeUtc).ToList();
        // The one event it started with and a chunk (256) more while a whole chunk was queued: 769, unless the
        // transaction held the writer for its whole growing time (100 ms) first, as a machine busy enough can make it.
        Assert.True(Events(commits[0]) > 256, $"The first commit held {Events(commits[0])} events.");
        Assert.Equal(Flood, commits.Sum(Events));
        // Each commit is linked to the trace of every event it took, those of its growth included.
        Assert.All(commits, commit => Assert.Equal(Events(commit), commit.Links.Count()));
        Assert.True(_traces.Keys.ToHashSet().SetEquals(commits.SelectMany(c => c.Links).Select(link => link.Context.TraceId)));
    }

    [Fact]
    public async Task FewerThanAChunkQueued_TheTransactionKeepsWhatItStartedWith()
    {
        var (client, webhook) = await NewWebhookAsync();
        await using var intake = new IntakeWriter(db.Database);

        // Events that trickle in (a paced load) wait for the next transaction, as they did before growth.
        var answers = await Task.WhenAll(await FloodAsync(intake, client, webhook, whileHeld: _ => Task.CompletedTask, events: 200));

        Assert.All(answers, answer => Assert.True(answer.Created));
        var commits = _commits.OrderBy(a => a.StartTimeUtc).ToList();
        Assert.Equal([1, 199], commits.Select(Events));
    }

    [Fact]
    public async Task Flood_WithAnotherWriteWaiting_CommitsWhatItHoldsAndLetsTheOtherIn()
    {
        var (client, webhook) = await NewWebhookAsync();
        await using var intake = new IntakeWriter(db.Database);
        Task<long>? other = null;

        var answers = await Task.WhenAll(await FloodAsync(intake, client, webhook, whileHeld: async held =>
        {
            // Another write (a claim, an outcome) queues behind the intake's loop for the same turn.
            other = SeenByTheNextWriteAsync(client);
            await WaitUntilAsync(() => held.Turn().Waiting == 2);
        }));

        Assert.All(answers, answer => Assert.True(answer.Created));
        Assert.Equal(1, await other!);
        Assert.Equal(Flood, await EventsOfAsync(client));
        var commits = _commits.OrderBy(a => a.StartTimeUtc).ToList();
        Assert.Equal(1, Events(commits[0]));
        Assert.Equal(Flood, commits.Sum(Events));
    }

    [Fact]
    public async Task Flood_OneEventSpoilsTheGrownTransaction_EveryEventIsAnsweredOnceAndTheOthersAreWritten()
    {
        var (client, webhook) = await NewWebhookAsync();
        await using var intake = new IntakeWriter(db.Database);

        // Event 300 reuses event 10's id. The first transaction takes both (the event it started with and two chunks or
        // more: 769 unless it held the writer for its 100 ms first), fails, and its events are written one by one: the
        // grown ones too.
        var answers = await FloodAsync(intake, client, webhook, whileHeld: _ => Task.CompletedTask, repeatIdOf: (300, 10));

        for (var i = 0; i < Flood; i++)
        {
            if (i == 300)
            {
                await Assert.ThrowsAnyAsync<Exception>(() => answers[i]);
            }
            else
            {
                Assert.True((await answers[i]).Created, $"Event {i}.");
            }
        }

        Assert.Equal(Flood - 1, await EventsOfAsync(client));
        var spoiled = _commits.OrderBy(a => a.StartTimeUtc).First();
        Assert.True(Events(spoiled) > 300, $"The spoiled transaction took {Events(spoiled)} events.");
    }

    private static int Events(Activity commit) => (int)commit.GetTagItem("cleanwebhooks.intake.events")!;

    public void Dispose()
    {
        _listener?.Dispose();
    }

    /// <summary>
    /// Holds the write turn, queues one event and waits until the writer's loop waits for the turn with it, queues the
    /// rest of the <paramref name="events"/> (event <c>repeatIdOf.Event</c> with the id of event <c>repeatIdOf.Of</c>),
    /// runs <paramref name="whileHeld"/>, then lets the turn go and waits until every event is answered, either way.
    /// </summary>
    private async Task<Task<(IntakeReceipt Receipt, bool Created)>[]> FloodAsync(
        IntakeWriter intake, ClientId client, WebhookId webhook, Func<DatabaseWriter, Task> whileHeld, int events = Flood,
        (int Event, int Of)? repeatIdOf = null)
    {
        Listen();
        var ids = Enumerable.Range(0, events).Select(_ => EventId.New()).ToArray();
        if (repeatIdOf is var (repeat, of))
        {
            ids[repeat] = ids[of];
        }

        var answers = new Task<(IntakeReceipt Receipt, bool Created)>[events];
        await using (var held = await db.Database.OpenWriterAsync(CancellationToken.None))
        {
            answers[0] = AddAsync(intake, client, webhook, 0, ids[0]);
            await WaitUntilAsync(() => held.Turn().Waiting == 1);
            for (var i = 1; i < events; i++)
            {
                answers[i] = AddAsync(intake, client, webhook, i, ids[i]);
            }

            await whileHeld(held);
        }

        await Task.WhenAny(Task.WhenAll(answers), Task.Delay(Patience));
        Assert.All(answers, answer => Assert.True(answer.IsCompleted, "An event was not answered."));
        return answers;
    }

    /// <summary>The intake's commits whose events came from this test's flood (an intake commit of no other test, should one run).</summary>
    private void Listen()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == Tracing.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.DisplayName == DeliveryTracing.IntakeCommitSpan && activity.Links.Any(link => _traces.ContainsKey(link.Context.TraceId)))
                {
                    _commits.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>Waits for the write turn, then counts the client's events committed before it.</summary>
    private async Task<long> SeenByTheNextWriteAsync(ClientId client)
    {
        await using var writer = await db.Database.OpenWriterAsync(CancellationToken.None);
        return await writer.Connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM events WHERE client_id = @Id;", new { Id = client.Value });
    }

    private async Task<long> EventsOfAsync(ClientId client)
    {
        await using var connection = await db.Database.OpenAsync(CancellationToken.None);
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM events WHERE client_id = @Id;", new { Id = client.Value });
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var waited = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(waited.Elapsed < Patience, "The write did not queue for the turn.");
            await Task.Delay(5);
        }
    }

    private Task<(ClientId Client, WebhookId Webhook)> NewWebhookAsync() => db.NewClientWithWebhookAsync("Flood", T0);

    /// <summary>Reports event <paramref name="n"/> from a request of its own trace, as the intake's endpoint does.</summary>
    private Task<(IntakeReceipt Receipt, bool Created)> AddAsync(IntakeWriter intake, ClientId client, WebhookId webhook, int n, EventId id)
    {
        using var request = new Activity("report") { ActivityTraceFlags = ActivityTraceFlags.Recorded }.SetIdFormat(ActivityIdFormat.W3C).Start();
        _traces[request.TraceId] = true;
        var documentEvent = DocumentEvent.Restore(id, client, $"doc-{n}", WebhookType.DocumentFinished, null, T0);
        return intake.AddEventAsync(documentEvent, new NewDelivery(DeliveryId.New(), webhook, T0), null, default);
    }
}

/// <summary>Runs after the parallel tests of the assembly, with nothing beside it: its tests listen to the service's traces.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ListensToTraces
{
    public const string Name = "Listens to traces (runs alone)";
}
