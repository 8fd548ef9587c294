using System.Security.Claims;
using CleanWebhooks.Domain.Clients;

namespace CleanWebhooks.Api.Auth;

/// <summary>The two faces of the API and how each is authenticated.</summary>
public static class AuthSchemes
{
    /// <summary>Integrators: <c>X-API-KEY</c>, resolved to their client.</summary>
    public const string ApiKey = "ApiKey";

    /// <summary>The platform's own services: <c>X-INTERNAL-KEY</c> from <c>Internal:ApiKeys</c>.</summary>
    public const string InternalKey = "InternalKey";

    /// <summary>Integrators in the portal: the session cookie a portal link was exchanged for, carrying their client.</summary>
    public const string Portal = "Portal";

    public const string ApiKeyHeader = "X-API-KEY";
    public const string InternalKeyHeader = "X-INTERNAL-KEY";

    public const string ClientIdClaim = "client_id";

    /// <summary>A fingerprint of the internal key that called: the scope of its idempotency keys.</summary>
    public const string CallerClaim = "caller";

    public static ClientId ClientId(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return new ClientId(Guid.Parse(user.FindFirstValue(ClientIdClaim)
            ?? throw new InvalidOperationException("The endpoint is not behind the API key or portal scheme.")));
    }

    public static string Caller(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.FindFirstValue(CallerClaim) ?? throw new InvalidOperationException("The endpoint is not behind the internal key scheme.");
    }
}
