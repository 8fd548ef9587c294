using CleanWebhooks.Application.Common.Localization;
using CleanWebhooks.Domain.Webhooks;
using FluentValidation;

namespace CleanWebhooks.Application.Webhooks.SetWebhookLimits;

/// <summary>Reports both limits' ranges at once; the ranges and texts are <see cref="WebhookLimits"/>' and <see cref="WebhookErrors"/>'.</summary>
public sealed class SetWebhookLimitsCommandValidator : AbstractValidator<SetWebhookLimitsCommand>
{
    public SetWebhookLimitsCommandValidator()
    {
        RuleFor(c => c.MaxInFlight).InclusiveBetween(1, WebhookLimits.MaxInFlightCeiling).When(c => c.MaxInFlight is not null)
            .WithMessage(_ => Text.Of(WebhookErrors.InvalidMaxInFlight));

        RuleFor(c => c.MaxPerSecond).InclusiveBetween(1, WebhookLimits.MaxPerSecondCeiling).When(c => c.MaxPerSecond is not null)
            .WithMessage(_ => Text.Of(WebhookErrors.InvalidMaxPerSecond));
    }
}
