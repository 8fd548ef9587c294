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
        if (headers is null)
        {
            return;
        }

        if (headers.Count > WebhookRules.MaxHeaders)
        {
            context.AddFailure(Text.Pick($"At most {WebhookRules.MaxHeaders} headers are allowed.", $"São permitidos no máximo {WebhookRules.MaxHeaders} cabeçalhos."));
            return;
        }

        var bytes = 0;
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in headers)
        {
            bytes += name.Length + (value?.Length ?? 0);
            if (!WebhookRules.IsToken(name))
            {
                context.AddFailure(Text.Pick($"'{name}' is not a valid header name.", $"'{name}' não é um nome de cabeçalho válido."));
            }
            else if (!seen.Add(name))
            {
                context.AddFailure(Text.Pick($"The header '{name}' is given more than once.", $"O cabeçalho '{name}' foi informado mais de uma vez."));
            }
            else if (WebhookRules.ReservedHeaders.Contains(name))
            {
                context.AddFailure(Text.Pick($"The header '{name}' cannot be set.", $"O cabeçalho '{name}' não pode ser definido."));
            }
            else if (!WebhookRules.IsSafeHeaderValue(value))
            {
                context.AddFailure(Text.Pick(
                    $"The value of header '{name}' must be printable ASCII without line breaks.",
                    $"O valor do cabeçalho '{name}' deve ser ASCII imprimível, sem quebras de linha."));
            }
        }

        if (bytes > WebhookRules.MaxHeadersBytes)
        {
            context.AddFailure(Text.Pick($"Headers may hold at most {WebhookRules.MaxHeadersBytes} bytes.", $"Os cabeçalhos podem ter no máximo {WebhookRules.MaxHeadersBytes} bytes."));
        }
    }
}
