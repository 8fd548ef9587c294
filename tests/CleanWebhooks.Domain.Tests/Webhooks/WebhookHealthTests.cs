using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Domain.Webhooks;
using Microsoft.Extensions.Time.Testing;

namespace CleanWebhooks.Domain.Tests.Webhooks;

/// <summary>
/// The endpoint-health rules (<see cref="WebhookHealth"/>, as the outcome writer applies them): the breaker opens, probes,
/// closes; the webhook is disabled and enabled.
/// </summary>
public sealed class WebhookHealthTests
{
    private static readonly EndpointHealthPolicy Policy = new(5, TimeSpan.FromMinutes(1), TimeSpan.FromHours(1), TimeSpan.FromDays(5));

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void RecordAttempt_FourFailures_BreakerStaysClosed()
    {
        var webhook = Webhook();

        var changes = Fail(webhook, 4);

        Assert.All(changes, c => Assert.Equal(HealthChange.None, c));
        Assert.Null(webhook.Health.PausedUntilAt(_clock.GetUtcNow()));
        Assert.Equal(4, webhook.Health.ConsecutiveFailures);
    }

    [Fact]
    public void RecordAttempt_FifthFailureInARow_OpensTheBreakerForTheFirstPause()
    {
        var webhook = Webhook();

        var changes = Fail(webhook, 5);

        Assert.Equal(HealthChange.BreakerOpened, changes[^1]);
        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromMinutes(1), webhook.Health.PausedUntilAt(_clock.GetUtcNow()));
    }

    [Fact]
    public void RecordAttempt_SuccessBetweenFailures_CountStartsAgain()
    {
        var webhook = Webhook();
        Fail(webhook, 4);
        webhook.RecordAttempt(Attempt(200), _clock.GetUtcNow(), Policy);

        var changes = Fail(webhook, 4);

        Assert.All(changes, c => Assert.Equal(HealthChange.None, c));
        Assert.Equal(4, webhook.Health.ConsecutiveFailures);
    }

    [Fact]
    public void RecordAttempt_FailuresOfAttemptsInFlightWhileOpen_DoNotExtendThePause()
    {
        var webhook = Webhook();
        Fail(webhook, 5);
        var pausedUntil = webhook.Health.PausedUntil;

        var changes = Fail(webhook, 3);

        Assert.All(changes, c => Assert.Equal(HealthChange.None, c));
        Assert.Equal(pausedUntil, webhook.Health.PausedUntil);
    }

    [Fact]
    public void IsProbingAt_PauseOver_TheNextAttemptIsTheProbe()
    {
        var webhook = Webhook();
        Fail(webhook, 5);
        Assert.False(webhook.Health.IsProbingAt(_clock.GetUtcNow(), Policy));

        _clock.Advance(TimeSpan.FromMinutes(1));

        Assert.True(webhook.Health.IsProbingAt(_clock.GetUtcNow(), Policy));
    }

    [Fact]
    public void RecordAttempt_ProbeFails_PauseDoubles_UpToOneHour()
    {
        var webhook = Webhook();
        Fail(webhook, 5);
        var pauses = new List<TimeSpan>();
        for (var trip = 2; trip <= 9; trip++)
        {
            _clock.Advance(webhook.Health.PausedUntil!.Value - _clock.GetUtcNow());
            Assert.Equal(HealthChange.BreakerOpened, Fail(webhook, 1)[0]);
            pauses.Add(webhook.Health.PausedUntil!.Value - _clock.GetUtcNow());
        }

        Assert.Equal([2, 4, 8, 16, 32, 60, 60, 60], pauses.Select(p => p.TotalMinutes));
    }

    [Fact]
    public void RecordAttempt_ProbeSucceeds_BreakerClosesAndEverythingResets()
    {
        var webhook = Webhook();
        Fail(webhook, 5);
        _clock.Advance(TimeSpan.FromMinutes(1));

        var change = webhook.RecordAttempt(Attempt(200), _clock.GetUtcNow(), Policy);

        Assert.Equal(HealthChange.BreakerClosed, change);
        Assert.Equal(WebhookHealth.Healthy, webhook.Health);
    }

    [Fact]
    public void RecordAttempt_FailingForLessThanTheWindow_StaysActive()
    {
        var webhook = Webhook();
        Fail(webhook, 1);
        _clock.Advance(TimeSpan.FromDays(5) - TimeSpan.FromSeconds(1));

        Fail(webhook, 1);

        Assert.Equal(WebhookStatus.Active, webhook.Status);
    }

    [Fact]
    public void RecordAttempt_NextFailureAfterTheWindow_Disabled()
    {
        var webhook = Webhook();
        Fail(webhook, 1);
        _clock.Advance(TimeSpan.FromDays(5));

        var change = Fail(webhook, 1)[0];

        Assert.Equal(HealthChange.Disabled, change);
        Assert.Equal(WebhookStatus.Disabled, webhook.Status);
        Assert.Equal(_clock.GetUtcNow(), webhook.Health.DisabledAt);
        Assert.Equal(new DisabledReason(TimeSpan.FromDays(5)), webhook.Health.DisabledReason);
        Assert.Null(webhook.Health.PausedUntil);
    }

    [Fact]
    public void RecordAttempt_WindowCountsFromTheFirstFailureAfterTheLastSuccess()
    {
        var webhook = Webhook();
        Fail(webhook, 1);
        _clock.Advance(TimeSpan.FromDays(4));
        webhook.RecordAttempt(Attempt(200), _clock.GetUtcNow(), Policy);
        Fail(webhook, 1);
        _clock.Advance(TimeSpan.FromDays(4));

        Fail(webhook, 1);

        Assert.Equal(WebhookStatus.Active, webhook.Status);
    }

    [Fact]
    public void RecordAttempt_ServiceOwnFailure_CountsForNothing()
    {
        var webhook = Webhook();

        for (var i = 0; i < 10; i++)
        {
            webhook.RecordAttempt(new DeliveryAttempt(1, _clock.GetUtcNow(), 0, null, AttemptErrors.InternalError, null, null), _clock.GetUtcNow(), Policy);
        }

        Assert.Equal(WebhookHealth.Healthy, webhook.Health);
    }

    [Fact]
    public void Enable_Disabled_ActiveWithWindowAndBreakerReset()
    {
        var webhook = Webhook();
        Fail(webhook, 5);
        _clock.Advance(TimeSpan.FromDays(6));
        Fail(webhook, 1);
        Assert.Equal(WebhookStatus.Disabled, webhook.Status);

        webhook.Enable();

        Assert.Equal(WebhookStatus.Active, webhook.Status);
        Assert.Equal(WebhookHealth.Healthy, webhook.Health);
    }

    [Fact]
    public void RecordAttempt_WhileDisabled_ChangesNothing()
    {
        var webhook = Webhook();
        Fail(webhook, 1);
        _clock.Advance(TimeSpan.FromDays(5));
        Fail(webhook, 1);
        var disabled = webhook.Health;

        Fail(webhook, 3);

        Assert.Equal(disabled, webhook.Health);
    }

    private List<HealthChange> Fail(Endpoint webhook, int times) =>
        [.. Enumerable.Range(0, times).Select(_ => webhook.RecordAttempt(Attempt(500), _clock.GetUtcNow(), Policy))];

    private DeliveryAttempt Attempt(int status) => new(1, _clock.GetUtcNow(), 10, status, null, null, null);

    private static Endpoint Webhook() => new();

    /// <summary>A webhook's stored health, moved by its transitions as the outcome writer and enable move it.</summary>
    private sealed class Endpoint
    {
        public WebhookHealth Health { get; private set; } = WebhookHealth.Healthy;

        public WebhookStatus Status => Health.Status;

        public HealthChange RecordAttempt(DeliveryAttempt attempt, DateTimeOffset now, EndpointHealthPolicy policy)
        {
            (Health, var change) = Health.After(attempt, now, policy);
            return change;
        }

        public void Enable() => Health = WebhookHealth.Enabled();
    }
}
