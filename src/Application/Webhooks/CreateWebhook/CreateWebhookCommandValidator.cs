using System.Text.Json;
using CleanWebhooks.Application.Common.Localization;
using CleanWebhooks.Domain.Webhooks;
using FluentValidation;

namespace CleanWebhooks.Application.Webhooks.CreateWebhook;

/// <summary>Checks every field of the seed's payload, naming the field that is wrong.</summary>
public sealed class CreateWebhookCommandValidator : AbstractValidator<CreateWebhookCommand>
{
    public CreateWebhookCommandValidator()
    {
        RuleFor(c => c.Name).NotEmpty().MaximumLength(WebhookRules.NameMaxLength);

        RuleFor(c => c.Type).NotNull()
            .Must(t => t is null || WebhookTypes.IsKnown(t.Value))
            .WithMessage(_ => Text.Pick(
                "The type is not a known webhook type (0 = document finished).",
                "O tipo não é um tipo de webhook conhecido (0 = documento finalizado)."));

        RuleFor(c => c.Method).NotEmpty()
            .Must(WebhookRules.IsAllowedMethod).When(c => !string.IsNullOrEmpty(c.Method), ApplyConditionTo.CurrentValidator)
            .WithMessage(_ => Text.Pick("The method must be one of POST, PUT, GET, DELETE.", "O método deve ser POST, PUT, GET ou DELETE."));

        RuleFor(c => c.Url).NotEmpty().MaximumLength(WebhookRules.UrlMaxLength)
            .Must(WebhookRules.IsHttpUrl)
            .WithMessage(_ => Text.Pick("The url must be an absolute http or https URL.", "A url deve ser uma URL http ou https absoluta."))
            .Must(WebhookRules.HasIdPlaceholder)
            .WithMessage(_ => Text.Pick(
                "The url must contain the ':id' placeholder, where the document id is sent.",
                "A url deve conter o parâmetro ':id', onde é enviado o id do documento."));

        RuleFor(c => c.Headers).Custom((headers, context) => CheckHeaders(headers, context));
        RuleFor(c => c.AuthorizationHeaders).Custom((headers, context) => CheckHeaders(headers, context));

        RuleFor(c => c.HeaderAuth).MaximumLength(WebhookRules.HeaderAuthMaxLength)
            .Must(WebhookRules.IsToken).When(c => !string.IsNullOrEmpty(c.HeaderAuth))
            .WithMessage(_ => Text.Pick("The headerAuth must be a scheme name such as Bearer.", "O headerAuth deve ser o nome de um esquema, como Bearer."));

        RuleFor(c => c.Authorization).MaximumLength(WebhookRules.AuthorizationMaxLength)
            .Must(WebhookRules.IsSafeHeaderValue).When(c => c.Authorization is not null)
            .WithMessage(_ => Text.Pick("The authorization must be printable ASCII without line breaks.", "A authorization deve ser ASCII imprimível, sem quebras de linha."));

        RuleFor(c => c.Authorization).Empty()
            .When(c => !string.IsNullOrWhiteSpace(c.AuthorizationUrl))
            .WithMessage(_ => Text.Pick(
                "Set either authorization or authorizationUrl, not both.",
                "Informe authorization ou authorizationUrl, não ambos."));

        RuleFor(c => c.AuthorizationUrl).MaximumLength(WebhookRules.UrlMaxLength)
            .Must(WebhookRules.IsHttpUrl).When(c => !string.IsNullOrWhiteSpace(c.AuthorizationUrl))
            .WithMessage(_ => Text.Pick("The authorizationUrl must be an absolute http or https URL.", "A authorizationUrl deve ser uma URL http ou https absoluta."));

        RuleFor(c => c.AuthorizationUrl).NotEmpty()
            .When(HasTokenFlowSettings)
            .WithMessage(_ => Text.Pick(
                "authorizationMethod, authorizationHeaders, authorizationBody and authorizationResponseTokenAttr need authorizationUrl.",
                "authorizationMethod, authorizationHeaders, authorizationBody e authorizationResponseTokenAttr exigem authorizationUrl."));

        RuleFor(c => c.AuthorizationMethod)
            .Must(WebhookRules.IsAllowedMethod).When(c => !string.IsNullOrEmpty(c.AuthorizationMethod))
            .WithMessage(_ => Text.Pick("The authorizationMethod must be one of POST, PUT, GET, DELETE.", "O authorizationMethod deve ser POST, PUT, GET ou DELETE."));

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
            .WithMessage(_ => Text.Pick(
                "The authorizationResponseTokenAttr must be an attribute name or a dotted path such as data.token.",
                "O authorizationResponseTokenAttr deve ser um nome de atributo ou um caminho como data.token."));
    }

    private static bool HasTokenFlowSettings(CreateWebhookCommand c) =>
        !string.IsNullOrWhiteSpace(c.AuthorizationMethod)
        || c.AuthorizationHeaders is { Count: > 0 }
        || c.AuthorizationBody is { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined }
        || !string.IsNullOrWhiteSpace(c.AuthorizationResponseTokenAttr);

    private static void CheckHeaders(Dictionary<string, string>? headers, ValidationContext<CreateWebhookCommand> context)
    {
        foreach (var problem in WebhookRules.HeaderProblems(headers))
        {
            context.AddFailure(Text.Pick(problem.Description, Portuguese(problem)));
        }
    }

    private static string Portuguese(HeaderProblem problem) => problem.Kind switch
    {
        HeaderProblemKind.TooMany => $"São permitidos no máximo {WebhookRules.MaxHeaders} cabeçalhos.",
        HeaderProblemKind.InvalidName => $"'{problem.Name}' não é um nome de cabeçalho válido.",
        HeaderProblemKind.Repeated => $"O cabeçalho '{problem.Name}' foi informado mais de uma vez.",
        HeaderProblemKind.Reserved => $"O cabeçalho '{problem.Name}' não pode ser definido.",
        HeaderProblemKind.InvalidValue => $"O valor do cabeçalho '{problem.Name}' deve ser ASCII imprimível, sem quebras de linha.",
        _ => $"Os cabeçalhos podem ter no máximo {WebhookRules.MaxHeadersBytes} bytes.",
    };
}
