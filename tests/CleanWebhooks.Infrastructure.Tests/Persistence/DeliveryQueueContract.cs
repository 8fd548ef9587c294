using CleanWebhooks.Application.Deliveries;
using CleanWebhooks.Application.Deliveries.AttemptDelivery;
using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Domain.Webhooks;
using CleanWebhooks.Infrastructure.Delivery;
using CleanWebhooks.Infrastructure.Persistence;
using CleanWebhooks.Infrastructure.Persistence.Deliveries;
using Dapper;
using Microsoft.Extensions.Time.Testing;
using ClaimedDelivery = CleanWebhooks.Application.Deliveries.AttemptDelivery.ClaimedDelivery;

namespace CleanWebhooks.Infrastructure.Tests.Persistence;

/// <summary>
/// What every database behind the delivery queue must do: intake with idempotency, the claim with its lease, record,
/// cancel, release, the list with its cursor, retry-now. Each subclass runs these against one real database. The claim
/// sees every due delivery of the database, so each test here first takes the leftovers of the tests before it.
/// </summary>
public abstract class DeliveryQueueContract(ContractDatabase db)
{
    private static readonly DateTimeOffset T0 = new DateTimeOffset(2025, 6, 2, 9, 30, 0, TimeSpan.FromHours(-3)).AddTicks(1_234_560);

    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    // The queue applies outcomes at the real time, long after these tests' T0: a failure must not count as days of failing.
    private static readonly EndpointHealthPolicy Policy = EndpointHealthPolicy.Default with { DisableAfter = TimeSpan.FromDays(36500) };

    // Windows far above any test's backlog: these tests are about the lease; flow control has its own tests below.
    private static readonly DeliveryPolicy Wide = DeliveryPolicy.Default with { MaxPerWebhook = 1000, Health = Policy };

    private DeliveryQueue Queue => new(db.Database, Wide, TimeProvider.System);

    private DeliveryQueries Queries => new(db.Database, TimeProvider.System);

    [Fact]
    public virtual async Task AddEvent_WithDelivery_StoresBothAndTheDeliveryIsDueAtOnce()
    {
        await DrainAsync();
        var (client, webhook) = await NewWebhookAsync();
        await using var intake = new IntakeWriter(db.Database);

        var (receipt, created) = await AddAsync(intake, client, webhook, "doc-1", """{"pages": 3}""");

        Assert.True(created);
        var claimed = Assert.Single(await Queue.ClaimDueAsync("node-a-1", 10, T0, T0 + Lease, default));
        Assert.Equal(receipt.DeliveryId!.Value.Value, claimed.Delivery.Id.Value);
        Assert.Equal("doc-1", claimed.Message.DocumentId);
        Assert.Equal("""{"pages": 3}""", claimed.Message.Data);
        Assert.Equal(client, claimed.Message.ClientId);
        Assert.Equal(T0.UtcDateTime, claimed.Message.OccurredAt.UtcDateTime);
        Assert.Equal(TimeSpan.Zero, claimed.Message.OccurredAt.Offset);
    }

    [Fact]
    public virtual async Task AddEvent_SameIdempotencyKeyManyTimesAtOnce_StoresOneEventAndAnswersItsReceiptToAll()
    {
        var (client, webhook) = await NewWebhookAsync();
        await using var intake = new IntakeWriter(db.Database);
        var key = new IdempotencyKey("platform", "Key-" + Guid.NewGuid());

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => AddAsync(intake, client, webhook, $"doc-{i}", null, key)));

        var first = Assert.Single(answers, a => a.Created);
        Assert.All(answers, a => Assert.Equal(first.Receipt, a.Receipt));
        Assert.Equal(1, await CountAsync("SELECT COUNT(*) FROM events WHERE client_id = @Id;", client.Value));
        Assert.Equal(1, await CountAsync("SELECT COUNT(*) FROM deliveries WHERE webhook_id = @Id;", webhook.Value));
        Assert.Equal(first.Receipt, await intake.FindReceiptAsync(client, key, T0.AddHours(-1), default));
    }

    [Fact]
    public virtual async Task AddEvent_SameKeyOnTwoNodesAtOnce_OneEventAndBothAnswerTheSameReceipt()
    {
        var (client, webhook) = await NewWebhookAsync();
        await using var nodeA = new IntakeWriter(db.Database);
        await using var nodeB = new IntakeWriter(db.Database);
        var keys = Enumerable.Range(0, 30).Select(i => new IdempotencyKey("platform", $"k{i}-{Guid.NewGuid():N}")).ToList();

        var answers = await Task.WhenAll(keys.SelectMany(k => new[]
        {
            AddAsync(nodeA, client, webhook, "doc-a", null, k),
            AddAsync(nodeB, client, webhook, "doc-b", null, k),
        }));

        Assert.Equal(keys.Count, answers.Count(a => a.Created));
        Assert.Equal(keys.Count, answers.Select(a => a.Receipt).Distinct().Count());
        Assert.Equal(keys.Count, await CountAsync("SELECT COUNT(*) FROM events WHERE client_id = @Id;", client.Value));
    }

    [Fact]
    public virtual async Task AddEvent_KeysDifferingOnlyInCase_AreDifferentKeys()
    {
        var (client, webhook) = await NewWebhookAsync();
        await using var intake = new IntakeWriter(db.Database);

        var lower = await AddAsync(intake, client, webhook, "doc-1", null, new IdempotencyKey("platform", "abc"));
        var upper = await AddAsync(intake, client, webhook, "doc-2", null, new IdempotencyKey("platform", "ABC"));

        Assert.True(lower.Created);
        Assert.True(upper.Created);
    }

    [Fact]
    public virtual async Task AddEvent_KeyOlderThanTheWindow_IsUsedAfresh()
    {
        var (client, webhook) = await NewWebhookAsync();
        await using var intake = new IntakeWriter(db.Database);
        var key = new IdempotencyKey("platform", "reused");

        var old = await AddAsync(intake, client, webhook, "doc-1", null, key, T0);
        var again = await AddAsync(intake, client, webhook, "doc-2", null, key, T0.AddHours(25));

        Assert.True(old.Created);
        Assert.True(again.Created);
        Assert.NotEqual(old.Receipt, again.Receipt);
    }

    [Fact]
    public virtual async Task Claim_ManyClaimsAtOnce_LeaseEachDeliveryToExactlyOneClaim()
    {
        await DrainAsync();
        var (client, webhook) = await NewWebhookAsync();
        await using var intake = new IntakeWriter(db.Database);
        await Task.WhenAll(Enumerable.Range(0, 120).Select(i => AddAsync(intake, client, webhook, $"doc-{i}", null)));

        // On a server database a claim passes over a webhook that another claim holds at that moment: an empty claim
        // does not mean nothing is left, so each node claims until all were taken (or time is up).
        var taken = 0;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(async n =>
        {
            var mine = new List<Guid>();
            while (Volatile.Read(ref taken) < 120 && DateTime.UtcNow < deadline)
            {
                var claimed = await Queue.ClaimDueAsync($"node-{n}-1", 7, T0, T0 + Lease, default);
                mine.AddRange(claimed.Select(c => c.Delivery.Id.Value));
                Interlocked.Add(ref taken, claimed.Count);
            }

            return mine;
        }));

        var all = claims.SelectMany(c => c).ToList();
        Assert.Equal(120, all.Count);
        Assert.Equal(120, all.Distinct().Count());
    }

    [Fact]
    public virtual async Task Claim_LeasedOrNotYetDue_ClaimsNothingUntilTheLeaseExpires()
    {
        await DrainAsync();
        var (client, webhook) = await NewWebhookAsync();
        await using var intake = new IntakeWriter(db.Database);
        await AddAsync(intake, client, webhook, "doc-1", null, createdAt: T0.AddMinutes(1));

        Assert.Empty(await Queue.ClaimDueAsync("node-a-1", 10, T0, T0 + Lease, default));
        Assert.Single(await Queue.ClaimDueAsync("node-a-1", 10, T0.AddMinutes(1), T0.AddMinutes(1) + Lease, default));
        Assert.Empty(await Queue.ClaimDueAsync("node-b-1", 10, T0.AddMinutes(2), T0.AddMinutes(2) + Lease, default));

        var again = Assert.Single(await Queue.ClaimDueAsync("node-b-1", 10, T0.AddMinutes(4), T0.AddMinutes(4) + Lease, default));
        Assert.Equal("node-b-1", again.Claim);
    }

    [Fact]
    public virtual async Task Claim_Leased_LeavesTheDueRangeUntilTheLeaseEndsOrItIsHandedBack()
    {
        await DrainAsync();
        var (client, webhook) = await NewWebhookAsync();
        await using var intake = new IntakeWriter(db.Database);
        await AddAsync(intake, client, webhook, "doc-1", null);
        await AddAsync(intake, client, webhook, "doc-2", null);

        var claimed = await Queue.ClaimDueAsync("node-a-1", 10, T0, T0 + Lease, default);

        // The claim seeks a webhook's pending rows with next_attempt_at <= now: the ones in flight are outside that
        // range (a pure seek, however many are in flight), and come back into it when their lease ends.
        Assert.Equal(2, claimed.Count);
        Assert.Equal(0, await CountDueAsync(webhook, T0.AddMinutes(1)));
        Assert.Equal(2, await CountDueAsync(webhook, T0 + Lease));

        var queue = QueueAt(T0.AddSeconds(30));
        await queue.TurnAsync([new DeliveryOutcome.Held(claimed[0])], null, default);

        Assert.Equal(1, await CountDueAsync(webhook, T0.AddSeconds(30)));
        var again = Assert.Single(await queue.ClaimDueAsync("node-b-1", 10, T0.AddSeconds(30), T0.AddSeconds(30) + Lease, default));
        Assert.Equal(claimed[0].Delivery.Id, again.Delivery.Id);
    }

    [Fact]
    public virtual async Task Claim_OneWebhookWithManyDue_GetsItsWindowAndTheOthersStillGetTheirs()
    {
        await DrainAsync();
        var (client, busy) = await NewWebhookAsync();
        var (otherClient, quiet) = await NewWebhookAsync();
        await using var intake = new IntakeWriter(db.Database);
        for (var i = 0; i < 10; i++)
        {
            await AddAsync(intake, client, busy, $"busy-{i}", null);
        }

        await AddAsync(intake, otherClient, quiet, "quiet-0", null, createdAt: T0.AddSeconds(1));
        await AddAsync(intake, otherClient, quiet, "quiet-1", null, createdAt: T0.AddSeconds(1));

        // This node's window for every webhook is 4, with nothing in flight here yet.
        var first = await Queue.ClaimDueAsync("node-a-1", 50, T0.AddSeconds(1), T0 + Lease, default, new NodeShare(4, 0));
        var again = await Queue.ClaimDueAsync("node-a-2", 50, T0.AddSeconds(1), T0 + Lease, default, new NodeShare(4, 4));

        Assert.Equal(4, first.Count(c => c.Delivery.WebhookId == busy));
        Assert.Equal(2, first.Count(c => c.Delivery.WebhookId == quiet));
        Assert.Empty(again);
    }

    [Fact]
    public virtual async Task Record_WithTheLease_WritesTheOutcomeAndTheAttempt_AndAStaleClaimChangesNothing()
    {
        await DrainAsync();
        var (client, webhook) = await NewWebhookAsync();
        await using var intake = new IntakeWriter(db.Database);
        await AddAsync(intake, client, webhook, "doc-1", null);
        await AddAsync(intake, client, webhook, "doc-2", null);
        var stale = await Queue.ClaimDueAsync("node-a-1", 10, T0, T0 + Lease, default);
        var current = await Queue.ClaimDueAsync("node-b-1", 10, T0.AddMinutes(3), T0.AddMinutes(3) + Lease, default);
        Assert.Equal(2, current.Count);
        var retryAt = T0.AddMinutes(3).AddSeconds(5).AddTicks(70);

        var turn = await Queue.TurnAsync(
        [
            Outcome(stale[0], stale[0].Claim, 200, DeliveryStatus.Succeeded, null),
            Outcome(current[0], current[0].Claim, 200, DeliveryStatus.Succeeded, null),
            Outcome(current[1], current[1].Claim, 503, DeliveryStatus.Pending, retryAt),
        ], null, default);

        Assert.Equal([current[0].Delivery.Id, current[1].Delivery.Id], turn.Recorded.Select(r => r.Claimed.Delivery.Id));
        Assert.All(turn.Recorded, r => Assert.Equal(current[0].Claim, r.Claimed.Claim));

        var detailsOk = await Queries.GetAsync(client, webhook, current[0].Delivery.Id, default);
        Assert.Equal("succeeded", detailsOk!.Status);
        Assert.Equal(200, Assert.Single(detailsOk.Attempts).StatusCode);
        var detailsRetry = await Queries.GetAsync(client, webhook, current[1].Delivery.Id, default);
        Assert.Equal("pending", detailsRetry!.Status);
        Assert.Equal(1, detailsRetry.AttemptCount);
        Assert.Equal(retryAt.UtcDateTime, detailsRetry.NextAttemptAt!.Value.UtcDateTime);
        Assert.Equal("HTTP 503", Assert.Single(detailsRetry.Attempts).ResponseExcerpt);

        // The stale claim's outcome was dropped: one attempt only, and the retry is claimable when due.
        Assert.Empty(await Queue.ClaimDueAsync("node-c-1", 10, T0.AddMinutes(3).AddSeconds(4), T0.AddMinutes(10), default));
        Assert.Single(await Queue.ClaimDueAsync("node-c-1", 10, retryAt, retryAt + Lease, default));
    }

    [Fact]
    public virtual async Task Record_StaleOutcomeBeforeTheCurrentOneInOneTurn_TheAttemptRowIsTheCurrentOnes()
    {
        var (client, webhook, stale, current) = await ClaimedTwiceAsync();

        // An attempt that outlived its lease ends in the same turn as the newer claim's: stale first, then current.
        var turn = await Queue.TurnAsync(
        [
            Outcome(stale, stale.Claim, 503, DeliveryStatus.Pending, T0.AddMinutes(4)),
            Outcome(current, current.Claim, 200, DeliveryStatus.Succeeded, null),
        ], null, default);

        // The turn reports the current attempt alone as recorded: the dispatcher counts and logs a delivery's end from it.
        Assert.Equal(current.Claim, Assert.Single(turn.Recorded).Claimed.Claim);
        var details = await Queries.GetAsync(client, webhook, current.Delivery.Id, default);
        Assert.Equal("succeeded", details!.Status);
        Assert.Equal("HTTP 200", Assert.Single(details.Attempts).ResponseExcerpt);
    }

    [Fact]
    public virtual async Task Record_StaleOutcomeAfterTheCurrentOneInOneTurn_DoesNotCountForTheWebhooksHealth()
    {
        var (client, webhook, stale, current) = await ClaimedTwiceAsync();

        var turn = await Queue.TurnAsync(
        [
            Outcome(current, current.Claim, 200, DeliveryStatus.Succeeded, null),
            Outcome(stale, stale.Claim, 503, DeliveryStatus.Pending, T0.AddMinutes(4)),
        ], null, default);

        Assert.Equal(current.Claim, Assert.Single(turn.Recorded).Claimed.Claim);
        var details = await Queries.GetAsync(client, webhook, current.Delivery.Id, default);
        Assert.Equal("HTTP 200", Assert.Single(details!.Attempts).ResponseExcerpt);
        Assert.Equal(0, await CountAsync("SELECT consecutive_failures FROM webhooks WHERE id = @Id;", webhook.Value));
    }

    /// <summary>One delivery claimed, its lease let expire, and claimed again by another node: the stale claim and the current one.</summary>
    private async Task<(ClientId Client, WebhookId Webhook, ClaimedDelivery Stale, ClaimedDelivery Current)> ClaimedTwiceAsync()
    {
        await DrainAsync();
        var (client, webhook) = await NewWebhookAsync();
        await using var intake = new IntakeWriter(db.Database);
        await AddAsync(intake, client, webhook, "doc-1", null);
        var stale = Assert.Single(await Queue.ClaimDueAsync("node-a-1", 10, T0, T0 + Lease, default));
        var current = Assert.Single(await Queue.ClaimDueAsync("node-b-1", 10, T0.AddMinutes(3), T0.AddMinutes(3) + Lease, default));
        Assert.Equal(stale.Delivery.Id, current.Delivery.Id);
        return (client, webhook, stale, current);
    }

    [Fact]
    public virtual async Task Cancel_ClaimedDelivery_IsCancelledAndNeverClaimedAgain()
    {
        await DrainAsync();
        var (client, webhook) = await NewWebhookAsync();
        await using var intake = new IntakeWriter(db.Database);
        await AddAsync(intake, client, webhook, "doc-1", null);
        var claimed = await Queue.ClaimDueAsync("node-a-1", 10, T0, T0 + Lease, default);

        await CancelAsync(claimed);

        Assert.Equal("cancelled", (await Queries.GetAsync(client, webhook, claimed[0].Delivery.Id, default))!.Status);
        Assert.Empty(await Queue.ClaimDueAsync("node-b-1", 10, T0.AddDays(1), T0.AddDays(1) + Lease, default));
    }

    [Fact]
    public virtual async Task Release_StoppingDispatcher_FreesOnlyItsOwnLeases()
    {
        await DrainAsync();
        var (client, webhook) = await NewWebhookAsync();
        await using var intake = new IntakeWriter(db.Database);
        for (var i = 0; i < 4; i++)
        {
            await AddAsync(intake, client, webhook, $"doc-{i}", null);
        }

        Assert.Equal(2, (await Queue.ClaimDueAsync("stopping-1", 2, T0, T0 + Lease, default)).Count);
        Assert.Equal(2, (await Queue.ClaimDueAsync("other-1", 2, T0, T0 + Lease, default)).Count);

        // Released deliveries are due at the release's time, on the dispatcher's clock.
        await QueueAt(T0).ReleaseAsync("stopping", default);

        Assert.Equal(2, (await Queue.ClaimDueAsync("third-1", 10, T0.AddSeconds(1), T0 + Lease, default)).Count);
        Assert.Equal(4, await Queue.CountPendingAsync(default) - await CountOtherPendingAsync(webhook));
    }

    [Fact]
    public virtual async Task List_WithCursorAndStatus_PagesNewestFirstWithoutGapsOrRepeats()
    {
        // Every status among the webhook's deliveries: on SQLite the succeeded ones are listed through another index
        // than the rest (migration 0009), and each list must still hold exactly its own, newest first.
        var (client, webhook) = await NewWebhookAsync();
        await using var intake = new IntakeWriter(db.Database);
        var byStatus = new Dictionary<DeliveryStatus, HashSet<Guid>>();
        for (var i = 0; i < 15; i++)
        {
            // Two deliveries per instant: the id breaks the tie.
            var (receipt, _) = await AddAsync(intake, client, webhook, $"doc-{i}", null, createdAt: T0.AddTicks(10 * (i / 2)));
            var id = receipt.DeliveryId!.Value;
            var status = (i % 5) switch
            {
                0 or 2 => DeliveryStatus.Succeeded,
                1 => DeliveryStatus.Failed,
                3 => DeliveryStatus.Cancelled,
                _ => DeliveryStatus.Pending,
            };
            if (status != DeliveryStatus.Pending)
            {
                await SetStateAsync(id, status, 1);
            }

            byStatus.TryAdd(status, []);
            byStatus[status].Add(id.Value);
        }

        var all = byStatus.Values.SelectMany(ids => ids).ToHashSet();
        foreach (var status in new DeliveryStatus?[] { null, DeliveryStatus.Pending, DeliveryStatus.Succeeded, DeliveryStatus.Failed, DeliveryStatus.Cancelled })
        {
            var seen = new List<DeliveryResponse>();
            string? cursor = null;
            do
            {
                var page = await Queries.ListAsync(client, webhook, new DeliveryFilter(status, null), 2, DeliveryCursor.TryDecode(cursor), default);
                Assert.True(page.Items.Count <= 2);
                seen.AddRange(page.Items);
                cursor = page.NextCursor;
            }
            while (cursor is not null);

            var expected = status is { } s ? byStatus[s] : all;
            Assert.Equal(expected.Count, seen.Count);
            Assert.Equal(expected, seen.Select(d => d.Id).ToHashSet());
            Assert.All(seen, d => Assert.Equal(status?.ToText() ?? d.Status, d.Status));
            Assert.Equal(seen.Select(d => d.CreatedAt).OrderDescending(), seen.Select(d => d.CreatedAt));
        }

        Assert.Empty((await Queries.ListAsync(ClientId.New(), webhook, DeliveryFilter.None, 50, null, default)).Items);
    }

    [Fact]
    public virtual async Task MakeDueNow_PendingFinishedLeasedOrUnknown_AnswersTrueTrueNullFalse()
    {
        await DrainAsync();
        var (client, webhook) = await NewWebhookAsync();
        await using var intake = new IntakeWriter(db.Database);
        var deliveries = new DeliveryRepository(db.Database);
        var (first, _) = await AddAsync(intake, client, webhook, "doc-1", null);
        var claimed = Assert.Single(await Queue.ClaimDueAsync("node-a-1", 10, T0, T0 + Lease, default));
        var firstId = first.DeliveryId!.Value;

        Assert.Null(await deliveries.MakeDueNowAsync(webhook, firstId, T0.AddSeconds(1), default));
        await Queue.RecordAsync([Outcome(claimed, claimed.Claim, 200, DeliveryStatus.Succeeded, null)], default);
        Assert.True(await deliveries.MakeDueNowAsync(webhook, firstId, T0.AddSeconds(2), default));
        Assert.Equal("pending", (await Queries.GetAsync(client, webhook, firstId, default))!.Status);
        Assert.Single(await Queue.ClaimDueAsync("node-a-2", 10, T0.AddSeconds(2), T0 + Lease, default));
        Assert.False(await deliveries.MakeDueNowAsync(webhook, DeliveryId.New(), T0, default));
        Assert.False(await deliveries.MakeDueNowAsync(WebhookId.New(), firstId, T0.AddHours(1), default));
    }

    [Fact]
    public virtual async Task Claim_GeneratedWebhookStates_TakesWhatTheDomainRuleDecides()
    {
        // Webhooks in every state the rule knows (healthy, breaker open with or without a manual retry, probing,
        // disabled, deleted; limits; attempts in flight on another node; expired leases; retries not yet due), due in a
        // known order. The engine's claim must take, webhook by webhook, what ClaimRule.Plan decides from the same
        // states, and leave each webhook's due marker where the rule says.
        await DrainAsync();
        var now = T0.AddHours(1);
        var random = new Random(2026_12_07);
        var states = new List<GeneratedWebhook>();
        for (var i = 0; i < 24; i++)
        {
            states.Add(await GenerateAsync(random, now, dueAt: now.AddSeconds(i - 30)));
        }

        foreach (var (capacity, round) in new[] { (1000, "all"), (9, "short") })
        {
            var share = states.ToDictionary(s => s.Id, s => s.Share);
            var expected = ClaimRule.Plan([.. states.Select(s => s.Due)], w => share[w.Id], capacity, now, Claiming);

            var claimed = await new DeliveryQueue(db.Database, Claiming, TimeProvider.System).TurnAsync(
                [], new ClaimRequest($"generated-{round}-1", capacity, now, now + Lease, w => share.GetValueOrDefault(w.Id, new NodeShare(1000, 0))), default);

            foreach (var (state, decision) in states.Zip(expected))
            {
                var mine = claimed.Claimed.Where(c => c.Delivery.WebhookId == state.Id).ToList();
                var what = $"{round}: {state}";
                Assert.True(decision.Take == mine.Count, $"{what}: took {mine.Count}, the rule says {decision.Take} ({decision.Hold}).");
                Assert.Equal(Math.Min(decision.Take, state.Due.RetriesDue), mine.Count(c => c.Delivery.RetryRequested));
                if (decision.Cancel)
                {
                    Assert.Equal(0, await CountAsync("SELECT COUNT(*) FROM deliveries WHERE webhook_id = @Id AND status = 'pending' AND next_attempt_at <= @Now;", state.Id.Value, now));
                }

                if (round == "all")
                {
                    var dueAt = await DueAtAsync(state.Id);
                    switch (decision.Hold)
                    {
                        case ClaimHold.Disabled:
                            Assert.True(dueAt is null, $"{what}: due at {dueAt}");
                            break;
                        case ClaimHold.Breaker:
                            Assert.Equal(state.Due.Health.PausedUntil!.Value.UtcDateTime, dueAt!.Value.UtcDateTime);
                            break;
                        case ClaimHold.Room:
                            Assert.Equal((now + Claiming.RoomRecheck).UtcDateTime, dueAt!.Value.UtcDateTime);
                            break;
                    }
                }
            }

            // What the first round took is in flight now: the states the second round starts from.
            states = [.. states.Select(s => s with
            {
                Due = s.Due with
                {
                    InFlight = s.Due.InFlight + claimed.Claimed.Count(c => c.Delivery.WebhookId == s.Id),
                    Due = s.Due.Due - claimed.Claimed.Count(c => c.Delivery.WebhookId == s.Id),
                    RetriesDue = s.Due.RetriesDue - claimed.Claimed.Count(c => c.Delivery.WebhookId == s.Id && c.Delivery.RetryRequested),
                },
            })];
            states = await RereadAsync(states, now);
        }
    }

    [Fact]
    public virtual async Task Claim_MaxInFlightAcrossManyClaimsAtOnce_NeverExceeded()
    {
        await DrainAsync();
        var (client, webhook) = await NewWebhookAsync();
        await using var intake = new IntakeWriter(db.Database);
        for (var i = 0; i < 40; i++)
        {
            await AddAsync(intake, client, webhook, $"doc-{i}", null);
        }

        await ExecuteAsync("UPDATE webhooks SET max_in_flight = 3 WHERE id = @Id;", webhook.Value, T0);

        // Eight nodes claim at the same moment, each with a wide window: the limit is the database's to keep.
        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(n =>
            Queue.ClaimDueAsync($"node-{n}-1", 50, T0.AddSeconds(1), T0 + Lease, default, new NodeShare(64, 0))));

        Assert.Equal(3, claims.Sum(c => c.Count));
    }

    [Fact]
    public virtual async Task Record_AttemptOfAWebhookThatWaitsForRoom_EndsAndTheSameTurnFillsTheRoom()
    {
        await DrainAsync();
        var (client, webhook) = await NewWebhookAsync();
        await using var intake = new IntakeWriter(db.Database);
        for (var i = 0; i < 3; i++)
        {
            await AddAsync(intake, client, webhook, $"doc-{i}", null);
        }

        var now = T0.AddSeconds(1);
        var claimed = Assert.Single(await Queue.ClaimDueAsync("node-a-1", 10, now, now + Lease, default, new NodeShare(1, 0)));
        Assert.Equal((now + Wide.RoomRecheck).UtcDateTime, (await DueAtAsync(webhook))!.Value.UtcDateTime);

        // The attempt ended (whatever its outcome): the room it held is free, and the webhook is due for the claim.
        var queue = QueueAt(now.AddMilliseconds(100));
        var turn = await queue.TurnAsync(
            [Outcome(claimed, claimed.Claim, 200, DeliveryStatus.Succeeded, null)],
            new ClaimRequest("node-a-2", 10, now.AddMilliseconds(100), now + Lease, _ => new NodeShare(1, 0)), default);

        Assert.Single(turn.Claimed);
    }

    [Fact]
    public virtual async Task Record_ManualRetrySucceedsWhileTheBreakerHolds_WhatTheBreakerHeldIsDueAtOnce()
    {
        await DrainAsync();
        var (client, webhook) = await NewWebhookAsync();
        await using var intake = new IntakeWriter(db.Database);
        var (held, _) = await AddAsync(intake, client, webhook, "held", null);
        var (retried, _) = await AddAsync(intake, client, webhook, "retried", null);
        var now = T0.AddMinutes(1);
        var pauseEnds = now.AddMinutes(10);
        await ExecuteAsync(
            "UPDATE webhooks SET consecutive_failures = 5, breaker_trips = 1, failing_since = @Since, paused_until = @Until, due_at = @Until WHERE id = @Id;",
            new { Id = webhook.Value, Since = T0, Until = pauseEnds });

        // The operator's retry goes ahead of the breaker; the other delivery waits for the pause's end.
        Assert.True(await new DeliveryRepository(db.Database).MakeDueNowAsync(webhook, retried.DeliveryId!.Value, now, default));
        var claimed = Assert.Single(await QueueAt(now).ClaimDueAsync("node-a-1", 10, now, now + Lease, default));
        Assert.Equal(retried.DeliveryId, claimed.Delivery.Id);

        // A poll while the retry is in flight finds the breaker holding the rest, and leaves the webhook until the pause ends.
        var poll = now.AddMilliseconds(500);
        Assert.Empty(await QueueAt(poll).ClaimDueAsync("node-a-2", 10, poll, poll + Lease, default));
        Assert.Equal(pauseEnds.UtcDateTime, (await DueAtAsync(webhook))!.Value.UtcDateTime);

        // It got through: the breaker closes, and what it held is the next claim's at once, not in ten minutes.
        var later = now.AddSeconds(1);
        var turn = await QueueAt(later).TurnAsync(
            [Outcome(claimed, claimed.Claim, 200, DeliveryStatus.Succeeded, null)],
            new ClaimRequest("node-a-3", 10, later, later + Lease, _ => new NodeShare(64, 0)), default);

        Assert.Equal(held.DeliveryId, Assert.Single(turn.Claimed).Delivery.Id);
    }

    private async Task<GeneratedWebhook> GenerateAsync(Random random, DateTimeOffset now, DateTimeOffset dueAt)
    {
        var (client, webhook) = await NewWebhookAsync();
        await using var intake = new IntakeWriter(db.Database);
        var kind = random.Next(10);
        var health = kind switch
        {
            0 => WebhookHealth.Healthy with { ConsecutiveFailures = 5, BreakerTrips = 1, FailingSince = now.AddMinutes(-2), PausedUntil = now.AddMinutes(1) },
            1 => WebhookHealth.Healthy with { ConsecutiveFailures = 5, BreakerTrips = 1, FailingSince = now.AddMinutes(-2), PausedUntil = now.AddSeconds(-1) },
            2 => WebhookHealth.Healthy with { ConsecutiveFailures = 9, FailingSince = now.AddDays(-6), DisabledAt = now.AddHours(-1), DisabledReason = new DisabledReason(TimeSpan.FromDays(5)) },
            _ => WebhookHealth.Healthy,
        };
        var limits = WebhookLimits.Restore(random.Next(3) == 0 ? random.Next(1, 7) : null, random.Next(4) == 0 ? new[] { 1, 5, 50 }[random.Next(3)] : null);
        DateTimeOffset? nextStartAt = limits.MaxPerSecond is not null && random.Next(2) == 0 ? now.AddMilliseconds(random.Next(0, 400)) : null;
        await ExecuteAsync(
            "UPDATE webhooks SET consecutive_failures = @ConsecutiveFailures, failing_since = @FailingSince, breaker_trips = @BreakerTrips, " +
            "paused_until = @PausedUntil, disabled_at = @DisabledAt, disabled_reason = @DisabledReason, max_in_flight = @MaxInFlight, " +
            "max_per_second = @MaxPerSecond, next_start_at = @NextStartAt, due_at = @DueAt, deleted_at = @DeletedAt WHERE id = @Id;",
            new
            {
                Id = webhook.Value,
                health.ConsecutiveFailures,
                health.FailingSince,
                health.BreakerTrips,
                health.PausedUntil,
                health.DisabledAt,
                health.DisabledReason,
                limits.MaxInFlight,
                limits.MaxPerSecond,
                NextStartAt = nextStartAt,
                DueAt = dueAt,
                DeletedAt = kind == 3 ? now.AddMinutes(-1) : (DateTimeOffset?)null,
            });

        // Due, of which some retried; leased by another node; a lease that expired; a retry not yet due.
        var (due, retried, leased, expired, later) = (random.Next(0, 9), random.Next(0, 3), random.Next(0, 4), random.Next(0, 2), random.Next(0, 3));
        for (var i = 0; i < due + expired + leased + later; i++)
        {
            var (receipt, _) = await AddAsync(intake, client, webhook, $"gen-{i}", null, createdAt: now.AddMinutes(-10).AddSeconds(i));
            var id = receipt.DeliveryId!.Value.Value;
            if (i < due && i >= due - retried)
            {
                // The newest due ones: a claim that took the oldest first would miss them.
                await ExecuteAsync("UPDATE deliveries SET retry_requested = 1 WHERE id = @Id;", new { Id = id });
            }
            else if (i >= due && i < due + expired)
            {
                await ExecuteAsync("UPDATE deliveries SET locked_by = 'dead-1', lease_until = @At, next_attempt_at = @At WHERE id = @Id;", new { Id = id, At = now.AddSeconds(-5) });
            }
            else if (i >= due + expired && i < due + expired + leased)
            {
                await ExecuteAsync("UPDATE deliveries SET locked_by = 'other-1', lease_until = @At, next_attempt_at = @At WHERE id = @Id;", new { Id = id, At = now.AddMinutes(1) });
            }
            else if (i >= due + expired + leased)
            {
                await ExecuteAsync("UPDATE deliveries SET next_attempt_at = @At WHERE id = @Id;", new { Id = id, At = now.AddMinutes(5) });
            }
        }

        var state = new DueWebhook(webhook, health, limits, kind == 3, leased, due + expired, Math.Min(retried, due), nextStartAt);
        return new GeneratedWebhook(webhook, state, new NodeShare(random.Next(1, 9), random.Next(0, 3)));
    }

    /// <summary>The states as stored after a claim: what it took is leased, the next start slots moved.</summary>
    private async Task<List<GeneratedWebhook>> RereadAsync(List<GeneratedWebhook> states, DateTimeOffset now)
    {
        var reread = new List<GeneratedWebhook>();
        foreach (var state in states)
        {
            await using var connection = await db.Database.OpenAsync(default);
            var nextStartAt = await connection.ExecuteScalarAsync<DateTimeOffset?>(new CommandDefinition(
                db.Database.Sql("SELECT next_start_at FROM webhooks WHERE id = @Id;"), new { Id = state.Id.Value }));
            var due = state.Due.IsDeleted ? 0 : state.Due.Due;
            reread.Add(state with { Due = state.Due with { NextStartAt = nextStartAt, Due = due, RetriesDue = Math.Min(state.Due.RetriesDue, due) } });
        }

        // Every webhook is due again for the second round, in the same order.
        foreach (var (state, i) in reread.Select((s, i) => (s, i)))
        {
            await ExecuteAsync("UPDATE webhooks SET due_at = @DueAt, waits_for_room = 0 WHERE id = @Id;", new { Id = state.Id.Value, DueAt = now.AddSeconds(i - 30) });
        }

        return reread;
    }

    private sealed record GeneratedWebhook(WebhookId Id, DueWebhook Due, NodeShare Share)
    {
        public override string ToString() =>
            $"webhook {Id.Value} (due {Due.Due}, retries {Due.RetriesDue}, in flight {Due.InFlight}, deleted {Due.IsDeleted}, " +
            $"health {Due.Health}, limits {Due.Limits.MaxInFlight}/{Due.Limits.MaxPerSecond}, next start {Due.NextStartAt}; here {Share})";
    }

    /// <summary>The rules of the generated-states test: the default windows, the contract's breaker, no disabling by time.</summary>
    private static readonly DeliveryPolicy Claiming = DeliveryPolicy.Default with { Health = Policy };

    private async Task<DateTimeOffset?> DueAtAsync(WebhookId webhook)
    {
        await using var connection = await db.Database.OpenAsync(default);
        return await connection.ExecuteScalarAsync<DateTimeOffset?>(new CommandDefinition(
            db.Database.Sql("SELECT due_at FROM webhooks WHERE id = @Id;"), new { Id = webhook.Value }));
    }

    private async Task ExecuteAsync(string portableSql, object parameters)
    {
        await using var connection = await db.Database.OpenAsync(default);
        await connection.ExecuteAsync(new CommandDefinition(db.Database.Sql(portableSql), parameters));
    }

    private Task ExecuteAsync(string portableSql, Guid id, DateTimeOffset now) => ExecuteAsync(portableSql, new { Id = id, Now = now });

    private async Task<int> CountAsync(string portableSql, Guid id, DateTimeOffset now)
    {
        await using var connection = await db.Database.OpenAsync(default);
        return await connection.ExecuteScalarAsync<int>(new CommandDefinition(db.Database.Sql(portableSql), new { Id = id, Now = now }));
    }

    [Fact]
    public virtual async Task Recover_InBatchesWithTies_AppliesTheDomainRuleToEachDeliveryOnce()
    {
        await DrainAsync();
        var (client, webhook) = await NewWebhookAsync();
        var (otherClient, otherWebhook) = await NewWebhookAsync();
        await using var intake = new IntakeWriter(db.Database);
        var deliveries = new DeliveryRepository(db.Database);
        var window = RecoveryWindow.Create(T0.AddMinutes(1), T0.AddMinutes(5)).Value;

        // Every status, inside and at both edges of the window, three of them created at the same instant (the id
        // breaks the tie across batches of two), and another webhook's failed delivery inside it.
        var cases = new List<(Guid Id, DateTimeOffset CreatedAt, DeliveryStatus Status)>();
        foreach (var (minutes, status) in new[]
        {
            (0.5, DeliveryStatus.Failed), (1.0, DeliveryStatus.Failed), (2.0, DeliveryStatus.Failed), (2.0, DeliveryStatus.Failed),
            (2.0, DeliveryStatus.Failed), (3.0, DeliveryStatus.Succeeded), (3.0, DeliveryStatus.Cancelled), (3.0, DeliveryStatus.Pending),
            (4.5, DeliveryStatus.Failed), (5.0, DeliveryStatus.Failed), (6.0, DeliveryStatus.Failed),
        })
        {
            var createdAt = T0.AddMinutes(minutes);
            var (receipt, _) = await AddAsync(intake, client, webhook, $"doc-{cases.Count}", null, createdAt: createdAt);
            await SetStateAsync(receipt.DeliveryId!.Value, status, attempts: 3);
            cases.Add((receipt.DeliveryId!.Value.Value, createdAt, status));
        }

        var (other, _) = await AddAsync(intake, otherClient, otherWebhook, "doc-other", null, createdAt: T0.AddMinutes(2));
        await SetStateAsync(other.DeliveryId!.Value, DeliveryStatus.Failed, attempts: 3);
        var now = T0.AddHours(1);

        Assert.Equal(5, await deliveries.CountRecoverableAsync(webhook, window, default));
        var recovered = new List<RecoveredDelivery>();
        RecoveredDelivery? after = null;
        while (await deliveries.RecoverAsync(webhook, window, after, 2, now, default) is { Count: > 0 } batch)
        {
            Assert.True(batch.Count <= 2);
            recovered.AddRange(batch);
            after = batch[^1];

            // One that fails again before the next batch is not taken again.
            if (batch.Count == 2)
            {
                await SetStateAsync(batch[0].Id, DeliveryStatus.Failed, attempts: 4);
            }
        }

        Assert.Equal(5, recovered.Count);
        Assert.Equal(5, recovered.Select(r => r.Id).Distinct().Count());
        foreach (var (id, createdAt, status) in cases)
        {
            var stored = await StateAsync(new DeliveryId(id));
            var expected = Domain.Deliveries.Delivery.Restore(new Domain.Deliveries.Delivery.Snapshot(
                new DeliveryId(id), webhook, status, 3, status == DeliveryStatus.Pending ? T0 : null, false, null));
            if (window.Contains(createdAt) && expected.Recover(now).IsSuccess)
            {
                Assert.Contains(recovered, r => r.Id.Value == id);
                continue;
            }

            Assert.DoesNotContain(recovered, r => r.Id.Value == id);
            Assert.Equal((expected.Status, expected.AttemptCount, expected.RetryRequested), (stored.Status, stored.AttemptCount, stored.RetryRequested));
        }

        // What Recover makes of a failed delivery: pending, due at the recovery's time, no manual retry, attempts kept.
        var last = await StateAsync(recovered[1].Id);
        Assert.Equal((DeliveryStatus.Pending, 3, false), (last.Status, last.AttemptCount, last.RetryRequested));
        Assert.Equal(now.UtcDateTime, last.NextAttemptAt!.Value.UtcDateTime);
        Assert.Equal(DeliveryStatus.Failed, (await StateAsync(other.DeliveryId!.Value)).Status);
    }

    [Fact]
    public virtual async Task Recover_WebhookDisabled_RecoversNothing()
    {
        var (client, webhook) = await NewWebhookAsync();
        await using var intake = new IntakeWriter(db.Database);
        var deliveries = new DeliveryRepository(db.Database);
        var (receipt, _) = await AddAsync(intake, client, webhook, "doc-1", null);
        await SetStateAsync(receipt.DeliveryId!.Value, DeliveryStatus.Failed, attempts: 3);
        await ExecuteAsync("UPDATE webhooks SET disabled_at = @At WHERE id = @Id;", new { Id = webhook.Value, At = T0 });
        var window = RecoveryWindow.Create(T0.AddDays(-1), T0.AddDays(1)).Value;

        Assert.Equal(1, await deliveries.CountRecoverableAsync(webhook, window, default));
        Assert.Empty(await deliveries.RecoverAsync(webhook, window, null, 10, T0, default));
        Assert.Equal(DeliveryStatus.Failed, (await StateAsync(receipt.DeliveryId!.Value)).Status);
    }

    [Fact]
    public virtual async Task AddTestEvent_WhileTheBreakerHolds_IsClaimedAtOnceAsATestEventWithoutData()
    {
        await DrainAsync();
        var (client, webhook) = await NewWebhookAsync();
        await ExecuteAsync("UPDATE webhooks SET paused_until = @Until WHERE id = @Id;", new { Id = webhook.Value, Until = T0.AddHours(1) });
        await using var intake = new IntakeWriter(db.Database);
        var deliveries = new DeliveryRepository(db.Database);
        var (held, _) = await AddAsync(intake, client, webhook, "doc-held", null);
        var testEvent = DocumentEvent.Test(client, WebhookType.DocumentFinished, T0);
        var delivery = new NewDelivery(DeliveryId.New(), webhook, T0);

        await deliveries.AddTestEventAsync(testEvent, delivery, default);

        var claimed = Assert.Single(await Queue.ClaimDueAsync("node-a-1", 10, T0, T0 + Lease, default));
        Assert.Equal(delivery.Id, claimed.Delivery.Id);
        Assert.True(claimed.Delivery.RetryRequested);
        Assert.True(claimed.Message.IsTest);
        Assert.StartsWith("test-", claimed.Message.DocumentId, StringComparison.Ordinal);
        Assert.Null(claimed.Message.Data);
        Assert.NotEqual(held.DeliveryId, claimed.Delivery.Id);
        var listed = await Queries.ListAsync(client, webhook, new DeliveryFilter(null, testEvent.DocumentId), 10, null, default);
        Assert.Equal(delivery.Id.Value, Assert.Single(listed.Items).Id);
    }

    [Fact]
    public virtual async Task ListOfDocument_WithStatusAndCursor_OnlyThatDocumentsNewestFirstAndNeverAnotherClients()
    {
        var (client, webhook) = await NewWebhookAsync();
        var (otherClient, otherWebhook) = await NewWebhookAsync();
        await using var intake = new IntakeWriter(db.Database);
        var ids = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            // Two deliveries per instant: the id breaks the tie.
            var (receipt, _) = await AddAsync(intake, client, webhook, "doc-42", null, createdAt: T0.AddTicks(10 * (i / 2)));
            ids.Add(receipt.DeliveryId!.Value.Value);
        }

        await AddAsync(intake, client, webhook, "doc-43", null);
        await AddAsync(intake, client, webhook, "DOC-42", null);
        await AddAsync(intake, otherClient, otherWebhook, "doc-42", null);
        await SetStateAsync(new DeliveryId(ids[1]), DeliveryStatus.Failed, attempts: 3);

        foreach (var list in new Func<DeliveryCursor?, Task<DeliveryPage>>[]
        {
            after => Queries.ListAsync(client, webhook, new DeliveryFilter(null, "doc-42"), 2, after, default),
            after => Queries.ListOfDocumentAsync(client, "doc-42", 2, after, default),
        })
        {
            var seen = new List<DeliveryResponse>();
            DeliveryCursor? cursor = null;
            do
            {
                var page = await list(cursor);
                Assert.True(page.Items.Count <= 2);
                seen.AddRange(page.Items);
                cursor = DeliveryCursor.TryDecode(page.NextCursor);
            }
            while (cursor is not null);

            Assert.Equal(ids.ToHashSet(), seen.Select(d => d.Id).ToHashSet());
            Assert.Equal(ids.Count, seen.Count);
            Assert.Equal(seen.OrderByDescending(d => d.CreatedAt).Select(d => d.CreatedAt), seen.Select(d => d.CreatedAt));
            Assert.All(seen, d => Assert.Equal("doc-42", d.DocumentId));
        }

        var failed = await Queries.ListAsync(client, webhook, new DeliveryFilter(DeliveryStatus.Failed, "doc-42"), 50, null, default);
        Assert.Equal(ids[1], Assert.Single(failed.Items).Id);
        Assert.Empty((await Queries.ListAsync(client, otherWebhook, new DeliveryFilter(null, "doc-42"), 50, null, default)).Items);
        Assert.Empty((await Queries.ListOfDocumentAsync(client, "doc-4", 50, null, default)).Items);
    }

    private static DeliveryOutcome.Attempted Outcome(ClaimedDelivery delivery, string claim, int statusCode, DeliveryStatus status, DateTimeOffset? next)
    {
        var number = delivery.Delivery.AttemptCount + 1;
        var after = Domain.Deliveries.Delivery.Restore(new Domain.Deliveries.Delivery.Snapshot(delivery.Delivery.Id, delivery.Delivery.WebhookId, status, number, next, false, null));
        return new DeliveryOutcome.Attempted(
            delivery with { Delivery = after, Claim = claim },
            new DeliveryAttempt(number, T0.AddMinutes(3), 12, statusCode, null, null, $"HTTP {statusCode}"));
    }

    private async Task CancelAsync(IReadOnlyList<ClaimedDelivery> claimed) =>
        await Queue.RecordAsync([.. claimed.Select(c => new DeliveryOutcome.Cancelled(c))], default);

    /// <summary>Takes every delivery the tests before left due, and cancels it.</summary>
    private async Task DrainAsync()
    {
        var far = T0.AddYears(10);
        while (await Queue.ClaimDueAsync("drain-1", 500, far, far.AddDays(1), default) is { Count: > 0 } leftovers)
        {
            await CancelAsync(leftovers);
        }
    }

    /// <summary>A queue whose clock (for hand-back and release) reads <paramref name="now"/>, as the dispatcher's would.</summary>
    private DeliveryQueue QueueAt(DateTimeOffset now) => new(db.Database, Wide, new FakeTimeProvider(now));

    /// <summary>Puts a delivery in a state directly, as many attempts would have left it.</summary>
    private Task SetStateAsync(DeliveryId id, DeliveryStatus status, int attempts) =>
        ExecuteAsync(
            "UPDATE deliveries SET status = @Status, attempt_count = @Attempts, next_attempt_at = @Next, retry_requested = 0 WHERE id = @Id;",
            new { Id = id.Value, Status = status.ToText(), Attempts = attempts, Next = status == DeliveryStatus.Pending ? T0 : (DateTimeOffset?)null });

    private async Task<Domain.Deliveries.Delivery> StateAsync(DeliveryId id)
    {
        await using var connection = await db.Database.OpenAsync(default);
        var row = await connection.QuerySingleAsync<DeliveryStateRow>(new CommandDefinition(
            db.Database.Sql("SELECT id, webhook_id, status, attempt_count, next_attempt_at, retry_requested, lease_until FROM deliveries WHERE id = @Id;"),
            new { Id = id.Value }));
        return row.ToDelivery();
    }

    private async Task<long> CountDueAsync(WebhookId webhook, DateTimeOffset now)
    {
        await using var connection = await db.Database.OpenAsync(default);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            db.Database.Sql("SELECT COUNT(*) FROM deliveries WHERE webhook_id = @Id AND status = 'pending' AND next_attempt_at <= @Now;"),
            new { Id = webhook.Value, Now = now }));
    }

    private async Task<long> CountOtherPendingAsync(WebhookId webhook)
    {
        await using var connection = await db.Database.OpenAsync(default);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            db.Database.Sql("SELECT COUNT(*) FROM deliveries WHERE status = 'pending' AND webhook_id <> @Id;"), new { Id = webhook.Value }));
    }

    private async Task<int> CountAsync(string portableSql, Guid id)
    {
        await using var connection = await db.Database.OpenAsync(default);
        return await connection.ExecuteScalarAsync<int>(new CommandDefinition(db.Database.Sql(portableSql), new { Id = id }));
    }

    private Task<(ClientId Client, WebhookId Webhook)> NewWebhookAsync() => db.NewClientWithWebhookAsync("Queue", T0);

    private static Task<(IntakeReceipt Receipt, bool Created)> AddAsync(
        IntakeWriter intake, ClientId client, WebhookId webhook, string documentId, string? data, IdempotencyKey? key = null,
        DateTimeOffset? createdAt = null)
    {
        var at = createdAt ?? T0;
        var documentEvent = DocumentEvent.Restore(EventId.New(), client, documentId, WebhookType.DocumentFinished, data, at);
        return intake.AddEventAsync(documentEvent, new NewDelivery(DeliveryId.New(), webhook, at), key, default);
    }
}

/// <summary>
/// The delivery queue on SQL Server, when <c>CLEANWEBHOOKS_TEST_SQLSERVER</c> holds a connection string; skipped with
/// that reason otherwise. Each test overrides the contract's only to carry <see cref="SqlServerFactAttribute"/>;
/// <see cref="ContractCoverageTests"/> checks that none is forgotten.
/// </summary>
public sealed class SqlServerDeliveryQueueTests(SqlServerContractDatabase database)
    : DeliveryQueueContract(database), IClassFixture<SqlServerContractDatabase>
{
    [SqlServerFact]
    public override Task AddEvent_WithDelivery_StoresBothAndTheDeliveryIsDueAtOnce() => base.AddEvent_WithDelivery_StoresBothAndTheDeliveryIsDueAtOnce();

    [SqlServerFact]
    public override Task Record_ManualRetrySucceedsWhileTheBreakerHolds_WhatTheBreakerHeldIsDueAtOnce() =>
        base.Record_ManualRetrySucceedsWhileTheBreakerHolds_WhatTheBreakerHeldIsDueAtOnce();

    [SqlServerFact]
    public override Task AddEvent_SameIdempotencyKeyManyTimesAtOnce_StoresOneEventAndAnswersItsReceiptToAll() => base.AddEvent_SameIdempotencyKeyManyTimesAtOnce_StoresOneEventAndAnswersItsReceiptToAll();

    [SqlServerFact]
    public override Task AddEvent_SameKeyOnTwoNodesAtOnce_OneEventAndBothAnswerTheSameReceipt() => base.AddEvent_SameKeyOnTwoNodesAtOnce_OneEventAndBothAnswerTheSameReceipt();

    [SqlServerFact]
    public override Task AddEvent_KeysDifferingOnlyInCase_AreDifferentKeys() => base.AddEvent_KeysDifferingOnlyInCase_AreDifferentKeys();

    [SqlServerFact]
    public override Task AddEvent_KeyOlderThanTheWindow_IsUsedAfresh() => base.AddEvent_KeyOlderThanTheWindow_IsUsedAfresh();

    [SqlServerFact]
    public override Task Claim_ManyClaimsAtOnce_LeaseEachDeliveryToExactlyOneClaim() => base.Claim_ManyClaimsAtOnce_LeaseEachDeliveryToExactlyOneClaim();

    [SqlServerFact]
    public override Task Claim_LeasedOrNotYetDue_ClaimsNothingUntilTheLeaseExpires() => base.Claim_LeasedOrNotYetDue_ClaimsNothingUntilTheLeaseExpires();

    [SqlServerFact]
    public override Task Claim_OneWebhookWithManyDue_GetsItsWindowAndTheOthersStillGetTheirs() => base.Claim_OneWebhookWithManyDue_GetsItsWindowAndTheOthersStillGetTheirs();

    [SqlServerFact]
    public override Task Record_WithTheLease_WritesTheOutcomeAndTheAttempt_AndAStaleClaimChangesNothing() => base.Record_WithTheLease_WritesTheOutcomeAndTheAttempt_AndAStaleClaimChangesNothing();

    [SqlServerFact]
    public override Task Record_StaleOutcomeBeforeTheCurrentOneInOneTurn_TheAttemptRowIsTheCurrentOnes() =>
        base.Record_StaleOutcomeBeforeTheCurrentOneInOneTurn_TheAttemptRowIsTheCurrentOnes();

    [SqlServerFact]
    public override Task Record_StaleOutcomeAfterTheCurrentOneInOneTurn_DoesNotCountForTheWebhooksHealth() =>
        base.Record_StaleOutcomeAfterTheCurrentOneInOneTurn_DoesNotCountForTheWebhooksHealth();

    [SqlServerFact]
    public override Task Cancel_ClaimedDelivery_IsCancelledAndNeverClaimedAgain() => base.Cancel_ClaimedDelivery_IsCancelledAndNeverClaimedAgain();

    [SqlServerFact]
    public override Task Release_StoppingDispatcher_FreesOnlyItsOwnLeases() => base.Release_StoppingDispatcher_FreesOnlyItsOwnLeases();

    [SqlServerFact]
    public override Task Claim_Leased_LeavesTheDueRangeUntilTheLeaseEndsOrItIsHandedBack() => base.Claim_Leased_LeavesTheDueRangeUntilTheLeaseEndsOrItIsHandedBack();

    [SqlServerFact]
    public override Task List_WithCursorAndStatus_PagesNewestFirstWithoutGapsOrRepeats() => base.List_WithCursorAndStatus_PagesNewestFirstWithoutGapsOrRepeats();

    [SqlServerFact]
    public override Task MakeDueNow_PendingFinishedLeasedOrUnknown_AnswersTrueTrueNullFalse() => base.MakeDueNow_PendingFinishedLeasedOrUnknown_AnswersTrueTrueNullFalse();

    [SqlServerFact]
    public override Task Claim_GeneratedWebhookStates_TakesWhatTheDomainRuleDecides() => base.Claim_GeneratedWebhookStates_TakesWhatTheDomainRuleDecides();

    [SqlServerFact]
    public override Task Claim_MaxInFlightAcrossManyClaimsAtOnce_NeverExceeded() => base.Claim_MaxInFlightAcrossManyClaimsAtOnce_NeverExceeded();

    [SqlServerFact]
    public override Task Record_AttemptOfAWebhookThatWaitsForRoom_EndsAndTheSameTurnFillsTheRoom() => base.Record_AttemptOfAWebhookThatWaitsForRoom_EndsAndTheSameTurnFillsTheRoom();

    [SqlServerFact]
    public override Task Recover_InBatchesWithTies_AppliesTheDomainRuleToEachDeliveryOnce() => base.Recover_InBatchesWithTies_AppliesTheDomainRuleToEachDeliveryOnce();

    [SqlServerFact]
    public override Task Recover_WebhookDisabled_RecoversNothing() => base.Recover_WebhookDisabled_RecoversNothing();

    [SqlServerFact]
    public override Task AddTestEvent_WhileTheBreakerHolds_IsClaimedAtOnceAsATestEventWithoutData() => base.AddTestEvent_WhileTheBreakerHolds_IsClaimedAtOnceAsATestEventWithoutData();

    [SqlServerFact]
    public override Task ListOfDocument_WithStatusAndCursor_OnlyThatDocumentsNewestFirstAndNeverAnotherClients() => base.ListOfDocument_WithStatusAndCursor_OnlyThatDocumentsNewestFirstAndNeverAnotherClients();
}

public sealed class SqliteDeliveryQueueTests(SqliteContractDatabase database)
    : DeliveryQueueContract(database), IClassFixture<SqliteContractDatabase>;

/// <summary>The delivery queue on PostgreSQL: fails, saying how to start a server, when none is configured.</summary>
public sealed class PostgresDeliveryQueueTests(PostgresContractDatabase database)
    : DeliveryQueueContract(database), IClassFixture<PostgresContractDatabase>;
