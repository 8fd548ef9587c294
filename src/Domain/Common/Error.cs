namespace CleanWebhooks.Domain.Common;

/// <summary>The kind of an expected failure; the API maps each kind to one HTTP status.</summary>
public enum ErrorType
{
    Validation,
    NotFound,
    Conflict,
}

/// <summary>An expected business outcome that is not success. Returned, never thrown.</summary>
/// <param name="Code">Stable machine-readable code, e.g. <c>webhook.duplicate_type</c>.</param>
/// <param name="Description">English description for people; <see cref="Portuguese"/> says the same in Brazilian Portuguese.</param>
/// <param name="Type">What kind of failure this is.</param>
/// <param name="Field">The request field the error is about, when there is one.</param>
public record Error(string Code, string Description, ErrorType Type, string? Field = null)
{
    /// <summary>The description in Brazilian Portuguese, kept beside the English one; null only for untranslated errors.</summary>
    public string? Portuguese { get; init; }

    public static Error Validation(string code, string description, string? field = null) =>
        new(code, description, ErrorType.Validation, field);

    public static Error Validation(string code, string english, string portuguese, string field) =>
        new(code, english, ErrorType.Validation, field) { Portuguese = portuguese };

    public static Error NotFound(string code, string description) => new(code, description, ErrorType.NotFound);

    public static Error NotFound(string code, string english, string portuguese) =>
        new(code, english, ErrorType.NotFound) { Portuguese = portuguese };

    public static Error Conflict(string code, string description) => new(code, description, ErrorType.Conflict);

    public static Error Conflict(string code, string english, string portuguese) =>
        new(code, english, ErrorType.Conflict) { Portuguese = portuguese };
}

/// <summary>Several field errors found together, keyed by the request field they belong to.</summary>
public sealed record ValidationError(IReadOnlyDictionary<string, string[]> Errors)
    : Error("validation", "One or more fields are invalid.", ErrorType.Validation);
