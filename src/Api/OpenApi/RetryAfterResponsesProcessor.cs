using System.Globalization;
using CleanWebhooks.Api.Auth;
using CleanWebhooks.Api.Http;
using NSwag;
using NSwag.Generation.Processors;
using NSwag.Generation.Processors.Contexts;

namespace CleanWebhooks.Api.OpenApi;

/// <summary>
/// Declares, in one place, the two answers any keyed operation can give besides its own, each a problem with
/// <c>Retry-After</c>: <c>429</c> (its API key over <c>RateLimiting</c>'s limit, or too many failed authentications from
/// the caller's address; see <c>RateLimiting/</c>) and <c>503</c> (the storage unavailable, see
/// <see cref="GlobalExceptionHandler"/>): every such operation reads its key or its data from the storage.
/// <see cref="IntegratorDocumentProcessor"/> gives them the <c>application/problem+json</c> ProblemDetails body, as it
/// does every answer of 400 and over.
/// </summary>
public sealed class RetryAfterResponsesProcessor : IOperationProcessor
{
    public bool Process(OperationProcessorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var policies = OperationPolicies.Of(context);
        var responses = context.OperationDescription.Operation.Responses;
        if (policies.Contains(AuthPolicies.Integrator))
        {
            Declare(responses, "429",
                "Too many requests: this API key is over its rate limit (RateLimiting:PermitsPerSecond, RateLimiting:Burst), "
                + "or this address has had too many failed authentications. Wait the seconds in Retry-After.");
        }
        else if (policies.Contains(AuthPolicies.Internal))
        {
            Declare(responses, "429", "Too many failed authentications from this address. Wait the seconds in Retry-After.");
        }
        else
        {
            return true;
        }

        Declare(responses, "503", string.Create(CultureInfo.InvariantCulture,
            $"The storage is unavailable (its database is full, locked or unreachable). Wait the seconds in Retry-After ({GlobalExceptionHandler.StorageFaultRetryAfterSeconds}), then try again."));
        return true;
    }

    private static void Declare(IDictionary<string, OpenApiResponse> responses, string status, string description)
    {
        if (!responses.TryGetValue(status, out var response))
        {
            response = new OpenApiResponse();
            responses[status] = response;
        }

        response.Description = description;

        // NSwag writes a header as a schema (OpenAPI 2's shape); OpenAPI 3 wants the schema under "schema".
        response.Headers["Retry-After"] = new OpenApiHeader
        {
            Description = "The seconds to wait before trying again.",
            ExtensionData = new Dictionary<string, object?>
            {
                ["schema"] = new Dictionary<string, object> { ["type"] = "integer", ["minimum"] = 1 },
            },
        };
    }
}
