using CleanWebhooks.Application.Common.Abstractions;
using CleanWebhooks.Domain.Clients;
using Mediator;

namespace CleanWebhooks.Application.Portal.CheckPortalSession;

/// <summary>
/// Whether a signed-in portal session still holds: its client exists and has not ended its sessions since it was
/// opened (its generation is still the client's). Asked on every portal page, so an ending takes effect at once on
/// every node.
/// </summary>
public sealed record CheckPortalSessionQuery(ClientId ClientId, int Generation) : IQuery<bool>;

public sealed class CheckPortalSessionQueryHandler(IPortalSessionStore sessions) : IQueryHandler<CheckPortalSessionQuery, bool>
{
    public async ValueTask<bool> Handle(CheckPortalSessionQuery query, CancellationToken cancellationToken) =>
        await sessions.GetGenerationAsync(query.ClientId, cancellationToken) == query.Generation;
}
