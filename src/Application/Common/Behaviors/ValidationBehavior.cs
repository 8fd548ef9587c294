using System.Text.Json;
using CleanWebhooks.Domain.Common;
using FluentValidation;
using Mediator;

namespace CleanWebhooks.Application.Common.Behaviors;

/// <summary>
/// Runs the FluentValidation validators of a message before its handler. Invalid input becomes a failed
/// result keyed by camelCase field names — never an exception.
/// </summary>
public sealed class ValidationBehavior<TMessage, TResponse>(IEnumerable<IValidator<TMessage>> validators)
    : IPipelineBehavior<TMessage, TResponse>
    where TMessage : IMessage
    where TResponse : IFailable<TResponse>
{
    private readonly IValidator<TMessage>[] _validators = validators as IValidator<TMessage>[] ?? [.. validators];

    public async ValueTask<TResponse> Handle(
        TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        if (_validators.Length == 0)
        {
            return await next(message, cancellationToken);
        }

        List<FluentValidation.Results.ValidationFailure>? failures = null;
        foreach (var validator in _validators)
        {
            var result = await validator.ValidateAsync(message, cancellationToken);
            if (!result.IsValid)
            {
                (failures ??= []).AddRange(result.Errors);
            }
        }

        return failures is null ? await next(message, cancellationToken) : TResponse.Failure(ValidationErrors.From(failures));
    }
}

/// <summary>FluentValidation's failures as one <see cref="ValidationError"/>, keyed by the JSON names the client sent.</summary>
public static class ValidationErrors
{
    public static ValidationError From(IEnumerable<FluentValidation.Results.ValidationFailure> failures)
    {
        ArgumentNullException.ThrowIfNull(failures);
        var errors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var failure in failures)
        {
            var field = FieldName(failure.PropertyName);
            if (!errors.TryGetValue(field, out var messages))
            {
                errors[field] = messages = [];
            }

            messages.Add(failure.ErrorMessage);
        }

        return new ValidationError(errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal));
    }

    /// <summary>
    /// <c>AuthorizationHeaders[x-a]</c> → <c>authorizationHeaders[x-a]</c>: the JSON name the client sent. A header's
    /// name (<c>Idempotency-Key</c>) is kept as it is.
    /// </summary>
    private static string FieldName(string propertyName) =>
        propertyName.Contains('-', StringComparison.Ordinal)
            ? propertyName
            : string.Join('.', propertyName.Split('.').Select(JsonNamingPolicy.CamelCase.ConvertName));
}
