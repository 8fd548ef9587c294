using CleanWebhooks.Application.Common.Localization;
using CleanWebhooks.Domain.Deliveries;
using FluentValidation;

namespace CleanWebhooks.Application.Deliveries;

/// <summary>The rules of a list of deliveries' query parameters, each with its two texts once, for every list that takes them.</summary>
public static class DeliveryListRules
{
    public const int MaxLimit = 100;

    public const int DefaultLimit = 50;

    /// <summary><c>limit</c>: 1 to <see cref="MaxLimit"/>.</summary>
    public static IRuleBuilderOptions<T, int?> ValidLimit<T>(this IRuleBuilder<T, int?> rule) => rule.InclusiveBetween(1, MaxLimit);

    /// <summary><c>cursor</c>: a <c>nextCursor</c> this service returned.</summary>
    public static IRuleBuilderOptions<T, string?> ValidCursor<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(c => string.IsNullOrEmpty(c) || DeliveryCursor.TryDecode(c) is not null)
            .WithMessage(_ => Text.Pick("The cursor is not one this service returned.", "O cursor não é um retornado por este serviço."));

    /// <summary><c>documentId</c>: a document id as the intake takes it (matched exactly).</summary>
    public static IRuleBuilderOptions<T, string?> ValidDocumentId<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(d => !string.IsNullOrWhiteSpace(d) && d.Length <= DocumentEvent.DocumentIdMaxLength)
            .WithMessage(_ => Text.Of(DeliveryErrors.InvalidDocumentId));
}
