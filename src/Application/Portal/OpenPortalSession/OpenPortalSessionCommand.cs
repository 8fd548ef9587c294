using CleanWebhooks.Application.Common.Abstractions;
using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Common;
using Mediator;

namespace CleanWebhooks.Application.Portal.OpenPortalSession;

/// <summary>Opens a portal session for one client: a token that shows that client's data until it expires.</summary>
public sealed record OpenPortalSessionCommand(ClientId ClientId) : ICommand<Result<PortalSessionTicket>>;

/// <summary>The sealed session, for the link the platform hands to its user.</summary>
public sealed record PortalSessionTicket(string Token, DateTimeOffset ExpiresAt);

public sealed class OpenPortalSessionCommandHandler(
    IClientRepository clients, IPortalSessionTokens tokens, PortalOptions options, TimeProvider clock)
    : ICommandHandler<OpenPortalSessionCommand, Result<PortalSessionTicket>>
{
    public async ValueTask<Result<PortalSessionTicket>> Handle(OpenPortalSessionCommand command, CancellationToken cancellationToken)
    {
        if (await clients.GetByIdAsync(command.ClientId, cancellationToken) is null)
        {
            return ClientErrors.NotFound;
        }

        var expiresAt = clock.GetUtcNow().Add(options.SessionLifetime).TruncatedToMicroseconds();
        return new PortalSessionTicket(tokens.Issue(new PortalSession(command.ClientId, expiresAt)), expiresAt);
    }
}
