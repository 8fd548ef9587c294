using System.Text.Json;
using System.Text.RegularExpressions;
using CleanWebhooks.Application.Common.Abstractions;
using CleanWebhooks.Application.Common.Localization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace CleanWebhooks.Api.Http;

/// <summary>
/// Bad input that fails before a handler runs (malformed JSON, a wrong JSON type, a body too large, not JSON)
/// becomes its 4xx problem naming the field; a storage fault (disk full, database locked too long or unreachable)
/// a 503 with <c>Retry-After</c>; anything else is a bug: logged, and a 500 problem without details.
/// </summary>
public sealed partial class GlobalExceptionHandler(
    IProblemDetailsService problems, IStorageFaultClassifier storageFaults, ILogger<GlobalExceptionHandler> logger) : IExceptionHandler
{
    /// <summary>Seconds a client is asked to wait after a storage fault: long enough for a lock or a failover to pass.</summary>
    public const int StorageFaultRetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        ProblemDetails problem;
        if (exception is BadHttpRequestException bad)
        {
            problem = bad.InnerException is JsonException json
                ? Problems.Validation(new Dictionary<string, string[]> { [FieldOf(json.Path)] = [DescribeJsonError(json, FieldOf(json.Path))] })
                : bad.StatusCode == StatusCodes.Status400BadRequest && ExpectsBody(httpContext)
                // The other way a JSON body fails to bind: there is none (empty, or the JSON null).
                ? Problems.Validation(new Dictionary<string, string[]>
                {
                    ["body"] = [ProblemTexts.BodyNotObject.ToString()],
                })
                : UnboundParameter().Match(bad.Message) is { Success: true } unbound
                ? Problems.Validation(new Dictionary<string, string[]>
                {
                    [unbound.Groups["name"].Value] = [ProblemTexts.WrongValueType.ToString()],
                })
                : bad.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? Problems.Create(413, ProblemTexts.BodyTooLarge.Format(RequestBodyLimit.LimitOf(httpContext) / 1024))
                : Problems.Create(bad.StatusCode, bad.StatusCode == 400 ? bad.Message : Problems.DefaultDetail(bad.StatusCode));
        }
        else if (storageFaults.IsStorageFault(exception))
        {
            // Not a bug of ours: the operator learns of it from this warning, /health/ready and the 503s.
            LogStorageFault(exception, httpContext.TraceIdentifier);
            httpContext.Response.Headers.RetryAfter = StorageFaultRetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            problem = Problems.Create(
                503,
                ProblemTexts.StorageUnavailable.ToString(),
                "storage_unavailable");
        }
        else
        {
            LogUnhandled(exception, httpContext.TraceIdentifier);
            problem = Problems.Create(500);
        }

        httpContext.Response.StatusCode = problem.Status ?? 500;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    /// <summary>True when the endpoint that failed reads a JSON body (the exception handler has cleared the endpoint itself).</summary>
    private static bool ExpectsBody(HttpContext httpContext) =>
        httpContext.Features.Get<IExceptionHandlerFeature>()?.Endpoint?.Metadata.GetMetadata<IAcceptsMetadata>() is not null;

    /// <summary><c>$.headers.Accept</c> → <c>headers.Accept</c>; the whole body is <c>body</c>.</summary>
    private static string FieldOf(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "body" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');

    /// <summary>
    /// What is wrong with the property: System.Text.Json says it only in its (English) message, and the API's JSON
    /// options make unknown and repeated properties errors (contract section 6).
    /// </summary>
    private static string DescribeJsonError(JsonException json, string field)
    {
        if (string.IsNullOrEmpty(json.Path) || json.Path == "$")
        {
            return ProblemTexts.BodyNotJson.ToString();
        }

        var property = field[(field.LastIndexOf('.') + 1)..];
        return json.Message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal) ? ProblemTexts.UnknownProperty.Format(property)
            : json.Message.StartsWith("Duplicate propert", StringComparison.Ordinal) ? ProblemTexts.DuplicateProperty.Format(property)
            : ProblemTexts.WrongJsonType.ToString();
    }

    /// <summary>Minimal APIs' words for a query or route value of the wrong type, e.g. <c>Failed to bind parameter "int? limit" from "abc".</c></summary>
    [GeneratedRegex("^Failed to bind parameter \"[^\"]*?(?<name>\\w+)\" from", RegexOptions.CultureInvariant)]
    private static partial Regex UnboundParameter();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storage fault in request {TraceId}: answered 503")]
    private partial void LogStorageFault(Exception exception, string traceId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception in request {TraceId}")]
    private partial void LogUnhandled(Exception exception, string traceId);
}
