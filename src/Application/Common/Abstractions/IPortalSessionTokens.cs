using CleanWebhooks.Domain.Clients;

namespace CleanWebhooks.Application.Common.Abstractions;

/// <summary>
/// A portal session: which client it shows, until when, the link that opens it (which works once), and the client's
/// portal generation when it was opened (ending a client's sessions moves the generation on).
/// </summary>
public sealed record PortalSession(ClientId ClientId, DateTimeOffset ExpiresAt, Guid LinkId, int Generation);

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

/// <summary>
/// What the database knows of a client's portal sessions, so that every node agrees at once: which links were used,
/// and the client's portal generation (a session of an earlier generation has ended).
/// </summary>
public interface IPortalSessionStore
{
    /// <summary>The client's portal generation, or null when there is no such client.</summary>
    Task<int?> GetGenerationAsync(ClientId clientId, CancellationToken cancellationToken);

    /// <summary>Ends every session of the client opened so far (its generation moves on); false when there is no such client.</summary>
    Task<bool> EndSessionsAsync(ClientId clientId, CancellationToken cancellationToken);

    /// <summary>
    /// Records the first use of <paramref name="session"/>'s link: true once, and only while the session's generation is
    /// the client's; false for any later use, on any node. Links that expired are forgotten meanwhile.
    /// </summary>
    Task<bool> RedeemAsync(PortalSession session, DateTimeOffset now, CancellationToken cancellationToken);
}
