using System.Diagnostics;
using System.Globalization;
using CleanWebhooks.Application.Common.Localization;
using CleanWebhooks.Domain.Common;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace CleanWebhooks.Api.Http;

/// <summary>
/// Every error answer is an RFC 9457 problem with <c>type</c>, <c>title</c>, <c>status</c> and <c>detail</c>. Titles and
/// standard details come from <see cref="ProblemTexts"/>, in the request's language (English or Brazilian Portuguese).
/// </summary>
public static class Problems
{
    private static readonly Dictionary<int, string> Types = new()
    {
        [400] = "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        [401] = "https://tools.ietf.org/html/rfc9110#section-15.5.2",
        [404] = "https://tools.ietf.org/html/rfc9110#section-15.5.5",
        [405] = "https://tools.ietf.org/html/rfc9110#section-15.5.6",
        [409] = "https://tools.ietf.org/html/rfc9110#section-15.5.10",
        [413] = "https://tools.ietf.org/html/rfc9110#section-15.5.14",
        [415] = "https://tools.ietf.org/html/rfc9110#section-15.5.16",
        [429] = "https://tools.ietf.org/html/rfc6585#section-4",
        [500] = "https://tools.ietf.org/html/rfc9110#section-15.6.1",
        [503] = "https://tools.ietf.org/html/rfc9110#section-15.6.4",
    };

    /// <summary>An expected failure of a use case, as its problem answer.</summary>
    public static ProblemHttpResult ToProblem(this Error error) => TypedResults.Problem(error.ToProblemDetails());

    /// <summary>An expected failure of a use case as its problem: a validation problem carries its <c>errors</c>.</summary>
    public static ProblemDetails ToProblemDetails(this Error error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error switch
        {
            ValidationError v => Validation(v.Errors),
            { Type: ErrorType.Validation } => Validation(new Dictionary<string, string[]>
            {
                [error.Field ?? "body"] = [Text.Of(error)],
            }),
            { Type: ErrorType.NotFound } => Create(404, Text.Of(error), error.Code),
            { Type: ErrorType.Conflict } => Create(409, Text.Of(error), error.Code),
            _ => throw new UnreachableException($"Unmapped error type {error.Type}."),
        };
    }

    /// <summary>
    /// The problem of one item of a batch, inside a 200 answer: a plain problem whose <c>errors</c> travel as an
    /// extension, so that the JSON is the same as that of a single 400 although the declared type is <see cref="ProblemDetails"/>.
    /// </summary>
    public static ProblemDetails ToItemProblem(this Error error)
    {
        var problem = error.ToProblemDetails();
        if (problem is not HttpValidationProblemDetails validation)
        {
            return problem;
        }

        var item = new ProblemDetails { Type = validation.Type, Title = validation.Title, Status = validation.Status, Detail = validation.Detail };
        item.Extensions["errors"] = validation.Errors;
        return item;
    }

    /// <summary>A problem of <paramref name="status"/>, titled in the request's language; the detail is the caller's.</summary>
    public static ProblemDetails Create(int status, string detail, string? code = null)
    {
        var problem = new ProblemDetails { Type = TypeOf(status), Title = TitleOf(status), Status = status, Detail = detail };
        if (code is not null)
        {
            problem.Extensions["code"] = code;
        }

        return problem;
    }

    /// <summary>A problem of <paramref name="status"/> with the catalogue's standard detail.</summary>
    public static ProblemDetails Create(int status) => Create(status, DefaultDetail(status));

    public static HttpValidationProblemDetails Validation(IReadOnlyDictionary<string, string[]> errors) =>
        new(errors.ToDictionary(StringComparer.Ordinal))
        {
            Type = TypeOf(400),
            Title = TitleOf(400),
            Status = 400,
            Detail = DefaultDetail(400),
        };

    /// <summary>
    /// Fills what the framework's own problems leave out (type, title) and puts their English titles into the
    /// request's language.
    /// </summary>
    public static void ApplyDefaults(ProblemDetails problem, int status)
    {
        ArgumentNullException.ThrowIfNull(problem);
        problem.Status ??= status;
        problem.Type ??= TypeOf(problem.Status.Value);
        problem.Title = ProblemTexts.Title(problem.Status.Value)?.ToString() ?? problem.Title ?? TitleOf(problem.Status.Value);
    }

    public static string DefaultDetail(int status) => status switch
    {
        413 => ProblemTexts.BodyTooLarge.Format(RequestBodyLimit.MaxBytes / 1024),
        _ => ProblemTexts.Detail(status)?.ToString() ?? Text.Pick("The request failed.", "A requisição falhou."),
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

    private static string TypeOf(int status) => Types.TryGetValue(status, out var type) ? type : "about:blank";

    private static string TitleOf(int status) => ProblemTexts.Title(status)?.ToString() ?? Text.Pick("Error", "Erro");
}
