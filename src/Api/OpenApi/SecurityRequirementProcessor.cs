using CleanWebhooks.Api.Auth;
using NSwag;
using NSwag.Generation.Processors;
using NSwag.Generation.Processors.Contexts;

namespace CleanWebhooks.Api.OpenApi;

/// <summary>Marks each operation with the key it needs (<c>X-API-KEY</c> or <c>X-INTERNAL-KEY</c>), read from its policy.</summary>
public sealed class SecurityRequirementProcessor : IOperationProcessor
{
    private static readonly Dictionary<string, string> SchemeByPolicy = new(StringComparer.Ordinal)
    {
        [AuthPolicies.Integrator] = AuthSchemes.ApiKey,
        [AuthPolicies.Internal] = AuthSchemes.InternalKey,
    };

    public bool Process(OperationProcessorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        foreach (var policy in OperationPolicies.Of(context))
        {
            if (SchemeByPolicy.TryGetValue(policy, out var scheme))
            {
                context.OperationDescription.Operation.Security ??= [];
                context.OperationDescription.Operation.Security.Add(new OpenApiSecurityRequirement { [scheme] = [] });
            }
        }

        return true;
    }
}
