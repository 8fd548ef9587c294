using System.Collections.Concurrent;
using System.Diagnostics;
using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Domain.Webhooks;
using CleanWebhooks.Infrastructure.Persistence;
using CleanWebhooks.Infrastructure.Persistence.Clients;
using CleanWebhooks.Infrastructure.Persistence.Deliveries;
using CleanWebhooks.Infrastructure.Persistence.Webhooks;
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

        var answers = await FloodAsync(intake, client, webhook, whileHeld: _ => Task.CompletedTask);

        Assert.All(answers, answer => Assert.True(answer.Created));
        Assert.Equal(Flood, await EventsOfAsync(client));
        var commits = _commits.OrderBy(a => a.StartTimeUtc).ToList();
        // The one event it started with, and at least one chunk (256) more: all 1,000 unless the transaction held the
        // writer for its whole growing time (100 ms) first, as a machine busy enough can make it.
        Assert.True(Events(commits[0]) > 256, $"The first commit held {Events(commits[0])} events.");
        Assert.Equal(Flood, commits.Sum(Events));
        // Each commit is linked to the trace of every event it took, those of its growth included.
        Assert.All(commits, commit => Assert.Equal(Events(commit), commit.Links.Count()));
        Assert.True(_traces.Keys.ToHashSet().SetEquals(commits.SelectMany(c => c.Links).Select(link => link.Context.TraceId)));
    }

    [Fact]
    public async Task Flood_WithAnotherWriteWaiting_CommitsWhatItHoldsAndLetsTheOtherIn()
    {
        var (client, webhook) = await NewWebhookAsync();
        await using var intake = new IntakeWriter(db.Database);
        Task<long>? other = null;

        var answers = await FloodAsync(intake, client, webhook, whileHeld: async held =>
        {
            // Another write (a claim, an outcome) queues behind the intake's loop for the same turn.
            other = SeenByTheNextWriteAsync(client);
            await WaitUntilAsync(() => held.Turn().Waiting == 2);
        });

        Assert.All(answers, answer => Assert.True(answer.Created));
        Assert.Equal(1, await other!);
        Assert.Equal(Flood, await EventsOfAsync(client));
        var commits = _commits.OrderBy(a => a.StartTimeUtc).ToList();
        Assert.Equal(1, Events(commits[0]));
        Assert.Equal(Flood, commits.Sum(Events));
    }

    private static int Events(Activity commit) => (int)commit.GetTagItem("cleanwebhooks.intake.events")!;

    public void Dispose()
    {
        _listener?.Dispose();
    }

    /// <summary>
    /// Holds the write turn, queues one event and waits until the writer's loop waits for the turn with it, queues the
    /// rest of the flood, runs <paramref name="whileHeld"/>, then lets the turn go and waits for every answer.
    /// </summary>
    private async Task<(IntakeReceipt Receipt, bool Created)[]> FloodAsync(
        IntakeWriter intake, ClientId client, WebhookId webhook, Func<DatabaseWriter, Task> whileHeld)
    {
        Listen();
        var answers = new List<Task<(IntakeReceipt Receipt, bool Created)>>(Flood);
        await using (var held = await db.Database.OpenWriterAsync(CancellationToken.None))
        {
            answers.Add(AddAsync(intake, client, webhook, 0));
            await WaitUntilAsync(() => held.Turn().Waiting == 1);
            answers.AddRange(Enumerable.Range(1, Flood - 1).Select(i => AddAsync(intake, client, webhook, i)));
            await whileHeld(held);
        }

        return await Task.WhenAll(answers).WaitAsync(Patience);
    }

    /// <summary>The intake's commits whose events came from this test's flood (tests of other classes run meanwhile).</summary>
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

    private async Task<(ClientId Client, WebhookId Webhook)> NewWebhookAsync()
    {
        var client = Client.Create(ClientId.New(), "Flood client", T0).Value;
        await new ClientRepository(db.Database).AddAsync(client, ApiKey.Issue(client.Id, T0).Key, default);
        var definition = new WebhookDefinition("Flood", 0, "POST", null, null, "https://example.com/hooks/:id", null, null, null, null, null, null);
        var webhook = Webhook.Create(client.Id, definition, T0).Value;
        Assert.True(await new WebhookRepository(db.Database, db.Protector).AddAsync(webhook, default));
        return (client.Id, webhook.Id);
    }

    /// <summary>Reports event <paramref name="n"/> from a request of its own trace, as the intake's endpoint does.</summary>
    private Task<(IntakeReceipt Receipt, bool Created)> AddAsync(IntakeWriter intake, ClientId client, WebhookId webhook, int n)
    {
        using var request = new Activity("report") { ActivityTraceFlags = ActivityTraceFlags.Recorded }.SetIdFormat(ActivityIdFormat.W3C).Start();
        _traces[request.TraceId] = true;
        var documentEvent = DocumentEvent.Restore(EventId.New(), client, $"doc-{n}", WebhookType.DocumentFinished, null, T0);
        return intake.AddEventAsync(documentEvent, new NewDelivery(DeliveryId.New(), webhook, T0), null, default);
    }
}

/// <summary>Runs after the parallel tests of the assembly, with nothing beside it: its tests listen to the service's traces.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ListensToTraces
{
    public const string Name = "Listens to traces (runs alone)";
}
