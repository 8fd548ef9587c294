using CleanWebhooks.Domain.Clients;

namespace CleanWebhooks.Application.Common.Abstractions;

/// <summary>A portal session: which client it shows, and until when.</summary>
public sealed record PortalSession(ClientId ClientId, DateTimeOffset ExpiresAt);

/// <summary>
/// Seals a portal session into the token its link carries, and opens it again. Tokens are authenticated and
/// time-limited with the service's own keys, so every node that shares the key ring reads the others' tokens.
/// </summary>
public interface IPortalSessionTokens
{
    string Issue(PortalSession session);

    /// <summary>The session, or null when the token is forged, tampered with or expired.</summary>
    PortalSession? Read(string token);
}
