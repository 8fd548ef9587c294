using Microsoft.AspNetCore.Authorization;
using NSwag.Generation.AspNetCore;
using NSwag.Generation.Processors.Contexts;

namespace CleanWebhooks.Api.OpenApi;

/// <summary>The authorization policies an operation's endpoint requires: which key it needs, read by the processors.</summary>
internal static class OperationPolicies
{
    /// <summary>The endpoint's policy names; empty for an anonymous operation or a context that is not ASP.NET Core's.</summary>
    public static IReadOnlySet<string> Of(OperationProcessorContext context) =>
        context is AspNetCoreOperationProcessorContext aspNet
            ? aspNet.ApiDescription.ActionDescriptor.EndpointMetadata
                .OfType<IAuthorizeData>()
                .Select(a => a.Policy)
                .OfType<string>()
                .ToHashSet(StringComparer.Ordinal)
            : new HashSet<string>();
}
