using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Webhooks;

namespace CleanWebhooks.Application.Deliveries.AttemptDelivery;

/// <summary>A webhook's health changed with the outcomes of a batch (breaker opened or closed, webhook disabled).</summary>
public sealed record WebhookHealthChanged(WebhookId WebhookId, ClientId ClientId, HealthChange Change, WebhookHealth Health);
