using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace CleanWebhooks.Api.Http;

/// <summary>
/// Writes every problem as <c>application/problem+json</c>, whatever the request's <c>Accept</c> says: the framework's
/// own writer declines a request that does not accept JSON, which left a 401 or 400 with no body (or a 500).
/// </summary>
public sealed class JsonProblemDetailsWriter(IOptions<ProblemDetailsOptions> problemOptions, IOptions<JsonOptions> jsonOptions)
    : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var problem = context.ProblemDetails;
        Problems.ApplyDefaults(problem, context.HttpContext.Response.StatusCode);
        problemOptions.Value.CustomizeProblemDetails?.Invoke(context);
        return new ValueTask(context.HttpContext.Response.WriteAsJsonAsync(
            problem, problem.GetType(), jsonOptions.Value.SerializerOptions, "application/problem+json", context.HttpContext.RequestAborted));
    }
}
