using CleanWebhooks.Application.Common.Abstractions;
using Mediator;

namespace CleanWebhooks.Application.Portal.ReadPortalSession;

/// <summary>The session a link's token carries; null when it is forged, tampered with or expired.</summary>
public sealed record ReadPortalSessionQuery(string Token) : IQuery<PortalSession?>;

public sealed class ReadPortalSessionQueryHandler(IPortalSessionTokens tokens, TimeProvider clock)
    : IQueryHandler<ReadPortalSessionQuery, PortalSession?>
{
    public ValueTask<PortalSession?> Handle(ReadPortalSessionQuery query, CancellationToken cancellationToken) =>
        ValueTask.FromResult(tokens.Read(query.Token) is { } session && session.ExpiresAt > clock.GetUtcNow() ? session : null);
}
