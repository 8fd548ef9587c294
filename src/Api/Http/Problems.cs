using System.Diagnostics;
using System.Globalization;
using CleanWebhooks.Application.Common.Localization;
using CleanWebhooks.Domain.Common;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace CleanWebhooks.Api.Http;

/// <summary>Every error answer is an RFC 9457 problem with <c>type</c>, <c>title</c>, <c>status</c> and <c>detail</c>.</summary>
public static class Problems
{
    private static readonly Dictionary<int, (string Type, string Title)> Kinds = new()
    {
        [400] = ("https://tools.ietf.org/html/rfc9110#section-15.5.1", "Bad Request"),
        [401] = ("https://tools.ietf.org/html/rfc9110#section-15.5.2", "Unauthorized"),
        [404] = ("https://tools.ietf.org/html/rfc9110#section-15.5.5", "Not Found"),
        [405] = ("https://tools.ietf.org/html/rfc9110#section-15.5.6", "Method Not Allowed"),
        [409] = ("https://tools.ietf.org/html/rfc9110#section-15.5.10", "Conflict"),
        [413] = ("https://tools.ietf.org/html/rfc9110#section-15.5.14", "Content Too Large"),
        [415] = ("https://tools.ietf.org/html/rfc9110#section-15.5.16", "Unsupported Media Type"),
        [429] = ("https://tools.ietf.org/html/rfc6585#section-4", "Too Many Requests"),
        [500] = ("https://tools.ietf.org/html/rfc9110#section-15.6.1", "Internal Server Error"),
        [503] = ("https://tools.ietf.org/html/rfc9110#section-15.6.4", "Service Unavailable"),
    };

    /// <summary>An expected failure of a use case, as its problem answer.</summary>
    public static ProblemHttpResult ToProblem(this Error error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error switch
        {
            ValidationError v => TypedResults.Problem(Validation(v.Errors)),
            { Type: ErrorType.Validation } => TypedResults.Problem(Validation(new Dictionary<string, string[]>
            {
                [error.Field ?? "body"] = [error.Description],
            })),
            { Type: ErrorType.NotFound } => TypedResults.Problem(Create(404, error.Description, error.Code)),
            { Type: ErrorType.Conflict } => TypedResults.Problem(Create(409, error.Description, error.Code)),
            _ => throw new UnreachableException($"Unmapped error type {error.Type}."),
        };
    }

    public static ProblemDetails Create(int status, string detail, string? code = null)
    {
        var (type, title) = Kinds.TryGetValue(status, out var kind) ? kind : ("about:blank", "Error");
        var problem = new ProblemDetails { Type = type, Title = title, Status = status, Detail = detail };
        if (code is not null)
        {
            problem.Extensions["code"] = code;
        }

        return problem;
    }

    public static HttpValidationProblemDetails Validation(IReadOnlyDictionary<string, string[]> errors)
    {
        var (type, title) = Kinds[400];
        return new HttpValidationProblemDetails(errors.ToDictionary(StringComparer.Ordinal))
        {
            Type = type,
            Title = title,
            Status = 400,
            Detail = Text.Pick("One or more fields are invalid.", "Um ou mais campos são inválidos."),
        };
    }

    /// <summary>Fills what the framework's own problems leave out: the type and title of their status.</summary>
    public static void ApplyDefaults(ProblemDetails problem, int status)
    {
        ArgumentNullException.ThrowIfNull(problem);
        problem.Status ??= status;
        var (type, title) = Kinds.TryGetValue(problem.Status.Value, out var kind) ? kind : ("about:blank", "Error");
        problem.Type ??= type;
        problem.Title ??= title;
    }

    public static string DefaultDetail(int status) => status switch
    {
        404 => "No such resource.",
        405 => "The resource does not accept this method.",
        413 => $"The request body is larger than {RequestBodyLimit.MaxBytes / 1024} KB.",
        415 => "The request body must be JSON (Content-Type: application/json).",
        _ => Kinds.TryGetValue(status, out var kind) ? kind.Title : "The request failed.",
    };

    public static Task WriteUnauthorizedAsync(HttpContext context, string detail)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        return context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = Create(401, detail),
        }).AsTask();
    }

    /// <summary>A 429 problem with <c>Retry-After</c> in whole seconds (at least one).</summary>
    public static Task WriteTooManyRequestsAsync(HttpContext context, TimeSpan retryAfter, string detail, string code)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = Create(429, detail, code),
        }).AsTask();
    }
}
