using CleanWebhooks.Application.Common.Abstractions;
using CleanWebhooks.Application.Common.Localization;
using CleanWebhooks.Application.Deliveries.AttemptDelivery;
using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Webhooks;
using Microsoft.Extensions.Logging;

namespace CleanWebhooks.Infrastructure.Delivery;

/// <summary>Logs, metrics and alerts for webhooks' health changes.</summary>
internal sealed partial class WebhookHealthEvents(DeliveryMetrics metrics, PlatformAlerts alerts, ILogger<WebhookHealthEvents> logger) : IWebhookHealthEvents
{
    public void Changed(WebhookHealthChanged change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var webhookId = change.WebhookId.Value;
        switch (change.Change)
        {
            case HealthChange.BreakerOpened:
                metrics.BreakerOpened();
                LogBreakerOpened(webhookId, change.Health.ConsecutiveFailures, change.Health.PausedUntil);
                break;
            case HealthChange.BreakerClosed:
                LogBreakerClosed(webhookId);
                break;
            case HealthChange.Disabled:
                metrics.WebhookDisabled();
                var reason = Text.InEnglish(() => HealthTexts.Sentence(change.Health.DisabledReason));
                LogDisabled(webhookId, change.ClientId.Value, reason);
                alerts.Enqueue(new WebhookDisabledAlert(change.ClientId.Value, webhookId, change.Health.DisabledAt ?? DateTimeOffset.UtcNow, reason));
                break;
        }
    }

    public void Enabled(ClientId clientId, WebhookId webhookId) => LogEnabled(webhookId.Value, clientId.Value);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook {WebhookId}: circuit breaker opened after {Failures} failed attempts in a row; held until {PausedUntil}")]
    private partial void LogBreakerOpened(Guid webhookId, int failures, DateTimeOffset? pausedUntil);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook {WebhookId}: circuit breaker closed, the probe succeeded")]
    private partial void LogBreakerClosed(Guid webhookId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {WebhookId} of client {ClientId} disabled: {Reason}")]
    private partial void LogDisabled(Guid webhookId, Guid clientId, string? reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook {WebhookId} of client {ClientId} enabled again; its held deliveries are due")]
    private partial void LogEnabled(Guid webhookId, Guid clientId);
}
