using CleanWebhooks.Domain.Webhooks;

namespace CleanWebhooks.Domain.Deliveries;

/// <summary>
/// A webhook with due work, as the claim reads it from the database: its stored state, and what is in flight of it on
/// every node.
/// </summary>
/// <param name="Id">The webhook.</param>
/// <param name="Health">Its stored health: breaker and disable state.</param>
/// <param name="Limits">The integrator's own limits.</param>
/// <param name="IsDeleted">It was deleted: its due deliveries are to be cancelled.</param>
/// <param name="InFlight">Its attempts in flight on every node: leased deliveries whose lease has not expired.</param>
/// <param name="Due">Its due deliveries nobody holds, counted up to the claim's cap.</param>
/// <param name="RetriesDue">Of those, the ones its integrator asked to retry now (they go first, and past an open breaker).</param>
/// <param name="NextStartAt">The next free start slot under its <c>maxPerSecond</c> (null: none taken yet).</param>
public sealed record DueWebhook(
    WebhookId Id,
    WebhookHealth Health,
    WebhookLimits Limits,
    bool IsDeleted,
    int InFlight,
    int Due,
    int RetriesDue,
    DateTimeOffset? NextStartAt);

/// <summary>What this node holds of a webhook: its send window, and its attempts in flight here.</summary>
public readonly record struct NodeShare(int Window, int InFlight);

/// <summary>Why a webhook's due work was not all taken, which decides when the claim looks at it again.</summary>
public enum ClaimHold
{
    /// <summary>Nothing held back: its next look is at its next due delivery.</summary>
    None,

    /// <summary>This claim had no more capacity: it stays due.</summary>
    Capacity,

    /// <summary>Its window, its <c>maxInFlight</c> or its one probe is full: it waits for one of its attempts to end.</summary>
    Room,

    /// <summary>Its <c>maxPerSecond</c> has no free start slot yet: it waits for the next one.</summary>
    Rate,

    /// <summary>Its breaker holds it: it waits for the pause to end (or a manual retry).</summary>
    Breaker,

    /// <summary>It is disabled: nothing is looked at until it is enabled.</summary>
    Disabled,
}

/// <summary>
/// What the claim does with one webhook it looked at: how many of its due deliveries to lease now (manual retries
/// first), and why it held any back.
/// </summary>
/// <param name="Webhook">The webhook as the claim read it.</param>
/// <param name="Take">Due deliveries to lease now.</param>
/// <param name="RetriesOnly">Only manual retries may go: its breaker holds it, and a manual retry is the probe.</param>
/// <param name="Cancel">It was deleted: its due deliveries are cancelled, nothing is sent.</param>
/// <param name="Hold">Why some of its due work was left, which decides when it is looked at again.</param>
public sealed record WebhookClaim(DueWebhook Webhook, int Take, bool RetriesOnly, bool Cancel, ClaimHold Hold)
{
    /// <summary>
    /// What the claim stores for the webhook once it took <paramref name="taken"/> deliveries: its next free start slot,
    /// the time before which the claim need not look at it (null: not until an operator acts), and whether it waits for
    /// one of its attempts to end (which wakes it earlier).
    /// </summary>
    public (DateTimeOffset? NextStartAt, DateTimeOffset? NotBefore, bool WaitsForRoom) Settle(int taken, DateTimeOffset now, DeliveryPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var (_, _, nextStartAt) = Webhook.Limits.Starts(Webhook.NextStartAt, now, taken);
        return Hold switch
        {
            ClaimHold.Disabled => (nextStartAt, null, false),
            ClaimHold.Breaker => (nextStartAt, Webhook.Health.PausedUntil ?? now, false),
            ClaimHold.Room => (nextStartAt, now + policy.RoomRecheck, true),
            ClaimHold.Rate when nextStartAt is { } next => (nextStartAt, WebhookLimits.NextLookForSlot(next), false),
            _ => (nextStartAt, now, false),
        };
    }
}

/// <summary>
/// The claim's rule (contract section 5): which due deliveries go out now, webhook by webhook. A disabled webhook gets
/// nothing; a deleted one has its due deliveries cancelled; while the breaker holds a webhook only a manual retry goes
/// (it is the probe), and once its pause has passed one probe at a time; otherwise a webhook gets what its send window
/// on this node and its <c>maxInFlight</c> across all nodes leave room for, within the free start slots of its
/// <c>maxPerSecond</c>. When the claim's capacity cannot serve every webhook's room, it goes first to the webhooks
/// holding the least on this node (then to those due longest). The database applies the answer; it holds no copy of
/// the rule.
/// </summary>
public static class ClaimRule
{
    /// <summary>The claim's decision for each webhook of <paramref name="due"/>, in the same order.</summary>
    /// <param name="due">Webhooks with due work, those due longest first.</param>
    /// <param name="node">This node's share of a webhook.</param>
    /// <param name="capacity">How many deliveries this claim may lease in all.</param>
    /// <param name="now">The claim's time.</param>
    /// <param name="policy">The delivery rules.</param>
    public static IReadOnlyList<WebhookClaim> Plan(
        IReadOnlyList<DueWebhook> due, Func<DueWebhook, NodeShare> node, int capacity, DateTimeOffset now, DeliveryPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(due);
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(policy);
        var rooms = new (int Take, bool RetriesOnly, ClaimHold Hold, int Holding)[due.Count];
        var wanted = 0L;
        for (var i = 0; i < due.Count; i++)
        {
            var share = node(due[i]);
            rooms[i] = RoomOf(due[i], share, now, policy);
            wanted += rooms[i].Take;
        }

        var granted = new int[due.Count];
        if (wanted <= capacity)
        {
            for (var i = 0; i < due.Count; i++)
            {
                granted[i] = rooms[i].Take;
            }
        }
        else
        {
            ShareOut(rooms, granted, Math.Max(0, capacity));
        }

        var claims = new WebhookClaim[due.Count];
        for (var i = 0; i < due.Count; i++)
        {
            var webhook = due[i];
            if (webhook.IsDeleted)
            {
                claims[i] = new WebhookClaim(webhook, 0, false, true, ClaimHold.None);
                continue;
            }

            var (take, retriesOnly, hold, _) = rooms[i];
            if (granted[i] < take)
            {
                hold = ClaimHold.Capacity;
            }

            claims[i] = new WebhookClaim(webhook, granted[i], retriesOnly, false, hold);
        }

        return claims;
    }

    /// <summary>
    /// Whether a new delivery of the webhook may go straight to this node's sender, leased in the intake's own
    /// transaction, when its window here has room (issue 21's hand-off): only when nothing but the window could hold
    /// it. A disabled webhook, an open breaker or its probe, and the integrator's own limits (kept across nodes by the
    /// claim) leave it to the claim.
    /// </summary>
    public static bool HandsOff(WebhookHealth health, WebhookLimits limits, DateTimeOffset now, DeliveryPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(health);
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(policy);
        return !health.IsDisabled && !health.IsPausedAt(now) && !health.IsProbingAt(now, policy.Health)
            && limits.MaxInFlight is null && limits.MaxPerSecond is null;
    }

    /// <summary>How much one webhook may take, before the claim's capacity is shared out, and what holds the rest back.</summary>
    private static (int Take, bool RetriesOnly, ClaimHold Hold, int Holding) RoomOf(DueWebhook webhook, NodeShare share, DateTimeOffset now, DeliveryPolicy policy)
    {
        var health = webhook.Health;
        if (webhook.IsDeleted)
        {
            return (0, false, ClaimHold.None, share.InFlight);
        }

        if (health.IsDisabled)
        {
            return (0, false, ClaimHold.Disabled, share.InFlight);
        }

        var paused = health.IsPausedAt(now);
        int room;
        if (paused || health.IsProbingAt(now, policy.Health))
        {
            // One attempt at a time across all nodes: while paused only a manual retry (the probe), after the pause the probe.
            if (paused && webhook.RetriesDue == 0)
            {
                return (0, true, ClaimHold.Breaker, share.InFlight);
            }

            room = webhook.InFlight == 0 ? 1 : 0;
        }
        else
        {
            room = share.Window - share.InFlight;
            if (webhook.Limits.MaxInFlight is { } max)
            {
                room = Math.Min(room, max - webhook.InFlight);
            }
        }

        var available = paused ? webhook.RetriesDue : webhook.Due;
        var take = Math.Max(0, Math.Min(room, available));
        var hold = take < available ? ClaimHold.Room : ClaimHold.None;

        var slots = webhook.Limits.FreeStarts(webhook.NextStartAt, now);
        if (slots < take || (slots == 0 && available > 0))
        {
            take = Math.Min(take, slots);
            hold = ClaimHold.Rate;
        }

        return (take, paused, hold, share.InFlight);
    }

    /// <summary>
    /// Shares <paramref name="capacity"/> out one delivery at a time, each to the webhook holding the least on this node
    /// (what it had in flight plus what it was given so far), earlier webhooks first on a tie, none beyond its room.
    /// </summary>
    private static void ShareOut((int Take, bool RetriesOnly, ClaimHold Hold, int Holding)[] rooms, int[] granted, int capacity)
    {
        var queue = new PriorityQueue<int, (int Holding, int Order)>();
        for (var i = 0; i < rooms.Length; i++)
        {
            if (rooms[i].Take > 0)
            {
                queue.Enqueue(i, (rooms[i].Holding, i));
            }
        }

        while (capacity > 0 && queue.TryDequeue(out var i, out var key))
        {
            granted[i]++;
            capacity--;
            if (granted[i] < rooms[i].Take)
            {
                queue.Enqueue(i, (key.Holding + 1, i));
            }
        }
    }
}
