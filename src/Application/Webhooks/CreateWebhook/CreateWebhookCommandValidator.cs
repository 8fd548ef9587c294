using System.Text.Json;
using CleanWebhooks.Application.Common.Localization;
using CleanWebhooks.Domain.Webhooks;
using FluentValidation;

namespace CleanWebhooks.Application.Webhooks.CreateWebhook;

/// <summary>
/// Checks every field of the seed's payload, naming the field that is wrong. The rules and their texts are the
/// entity's (<see cref="WebhookRules"/>, <see cref="WebhookErrors"/>); this only reports all of them at once.
/// </summary>
public sealed class CreateWebhookCommandValidator : AbstractValidator<CreateWebhookCommand>
{
    public CreateWebhookCommandValidator()
    {
        RuleFor(c => c.Name).NotEmpty()
            .Must(WebhookRules.IsValidName).When(c => !string.IsNullOrWhiteSpace(c.Name), ApplyConditionTo.CurrentValidator)
            .WithMessage(_ => Text.Of(WebhookErrors.InvalidName));

        RuleFor(c => c.Type).NotNull()
            .Must(t => t is null || WebhookTypes.IsKnown(t.Value))
            .WithMessage(_ => Text.Of(WebhookErrors.UnknownType));

        RuleFor(c => c.Method).NotEmpty()
            .Must(WebhookRules.IsAllowedMethod).When(c => !string.IsNullOrEmpty(c.Method), ApplyConditionTo.CurrentValidator)
            .WithMessage(_ => Text.Of(WebhookErrors.InvalidMethod));

        RuleFor(c => c.Url).NotEmpty()
            .Must(WebhookRules.IsHttpUrl).When(c => !string.IsNullOrEmpty(c.Url), ApplyConditionTo.CurrentValidator)
            .WithMessage(_ => Text.Of(WebhookErrors.InvalidUrl))
            .Must(WebhookRules.HasIdPlaceholder).When(c => WebhookRules.IsHttpUrl(c.Url), ApplyConditionTo.CurrentValidator)
            .WithMessage(_ => Text.Of(WebhookErrors.UrlWithoutIdPlaceholder));

        RuleFor(c => c.Headers).Custom((headers, context) => CheckHeaders(headers, HeaderSet.Delivery, context));
        RuleFor(c => c.AuthorizationHeaders).Custom((headers, context) => CheckHeaders(headers, HeaderSet.TokenCall, context));

        RuleFor(c => c.HeaderAuth).MaximumLength(WebhookRules.HeaderAuthMaxLength)
            .Must(WebhookRules.IsToken).When(c => !string.IsNullOrEmpty(c.HeaderAuth))
            .WithMessage(_ => Text.Of(WebhookErrors.InvalidHeaderAuth));

        RuleFor(c => c.Authorization).MaximumLength(WebhookRules.AuthorizationMaxLength)
            .Must(a => WebhookRules.IsSafeHeaderValue(a!.Trim())).When(c => !string.IsNullOrWhiteSpace(c.Authorization))
            .WithMessage(_ => Text.Of(WebhookErrors.InvalidAuthorization));

        RuleFor(c => c.Authorization).Empty()
            .When(c => !string.IsNullOrWhiteSpace(c.AuthorizationUrl))
            .WithMessage(_ => Text.Of(WebhookErrors.TwoAuthorizationModes));

        RuleFor(c => c.AuthorizationUrl)
            .Must(WebhookRules.IsHttpUrl).When(c => !string.IsNullOrWhiteSpace(c.AuthorizationUrl))
            .WithMessage(_ => Text.Of(WebhookErrors.InvalidAuthorizationUrl));

        RuleFor(c => c.AuthorizationUrl).NotEmpty()
            .When(HasTokenFlowSettings)
            .WithMessage(_ => Text.Of(WebhookErrors.TokenSettingsWithoutUrl));

        RuleFor(c => c.AuthorizationMethod)
            .Must(WebhookRules.IsAllowedMethod).When(c => !string.IsNullOrEmpty(c.AuthorizationMethod))
            .WithMessage(_ => Text.Of(WebhookErrors.InvalidAuthorizationMethod));

        RuleFor(c => c.AuthorizationBody)
            .Must(b => b!.Value.ValueKind == JsonValueKind.Object)
            .When(c => c.AuthorizationBody is { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined }, ApplyConditionTo.CurrentValidator)
            .WithMessage(_ => Text.Pick("The authorizationBody must be a JSON object.", "O authorizationBody deve ser um objeto JSON."))
            .Must(b => b!.Value.GetRawText().Length <= WebhookRules.AuthorizationBodyMaxLength)
            .When(c => c.AuthorizationBody is { ValueKind: JsonValueKind.Object }, ApplyConditionTo.CurrentValidator)
            .WithMessage(_ => Text.Pick(
                $"The authorizationBody may hold at most {WebhookRules.AuthorizationBodyMaxLength} characters.",
                $"O authorizationBody pode ter no máximo {WebhookRules.AuthorizationBodyMaxLength} caracteres."));

        RuleFor(c => c.AuthorizationResponseTokenAttr)
            .Must(WebhookRules.IsTokenPath).When(c => !string.IsNullOrEmpty(c.AuthorizationResponseTokenAttr))
            .WithMessage(_ => Text.Of(WebhookErrors.InvalidTokenAttr));
    }

    private static bool HasTokenFlowSettings(CreateWebhookCommand c) =>
        !string.IsNullOrWhiteSpace(c.AuthorizationMethod)
        || c.AuthorizationHeaders is { Count: > 0 }
        || c.AuthorizationBody is { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined }
        || !string.IsNullOrWhiteSpace(c.AuthorizationResponseTokenAttr);

    private static void CheckHeaders(Dictionary<string, string>? headers, HeaderSet set, ValidationContext<CreateWebhookCommand> context)
    {
        foreach (var problem in WebhookRules.HeaderProblems(headers, set))
        {
            context.AddFailure(Text.Pick(problem.Description, problem.Portuguese));
        }
    }
}
