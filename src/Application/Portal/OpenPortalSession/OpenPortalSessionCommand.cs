using CleanWebhooks.Application.Common.Abstractions;
using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Common;
using Mediator;

namespace CleanWebhooks.Application.Portal.OpenPortalSession;

/// <summary>Opens a portal session for one client: a token that shows that client's data until it expires, through a link that works once.</summary>
public sealed record OpenPortalSessionCommand(ClientId ClientId) : ICommand<Result<PortalSessionTicket>>;

/// <summary>The sealed session, for the link the platform hands to its user.</summary>
public sealed record PortalSessionTicket(string Token, DateTimeOffset ExpiresAt);

public sealed class OpenPortalSessionCommandHandler(
    IPortalSessionStore sessions, IPortalSessionTokens tokens, PortalOptions options, TimeProvider clock)
    : ICommandHandler<OpenPortalSessionCommand, Result<PortalSessionTicket>>
{
    public async ValueTask<Result<PortalSessionTicket>> Handle(OpenPortalSessionCommand command, CancellationToken cancellationToken)
    {
        // The client's generation now: ending its sessions later ends this one too, and one ended before does not.
        if (await sessions.GetGenerationAsync(command.ClientId, cancellationToken) is not { } generation)
        {
            return ClientErrors.NotFound;
        }

        var expiresAt = clock.GetUtcNow().Add(options.SessionLifetime).TruncatedToMicroseconds();
        return new PortalSessionTicket(tokens.Issue(new PortalSession(command.ClientId, expiresAt, Guid.NewGuid(), generation)), expiresAt);
    }
}
