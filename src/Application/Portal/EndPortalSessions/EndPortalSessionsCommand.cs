using CleanWebhooks.Application.Common.Abstractions;
using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Common;
using Mediator;

namespace CleanWebhooks.Application.Portal.EndPortalSessions;

/// <summary>
/// Ends every portal session of a client opened before it, and every link opened before it and not yet used: at once on
/// every node, since each portal page checks the client's generation in the database. Sessions opened after it are
/// not affected.
/// </summary>
public sealed record EndPortalSessionsCommand(ClientId ClientId) : ICommand<Result>;

public sealed class EndPortalSessionsCommandHandler(IPortalSessionStore sessions) : ICommandHandler<EndPortalSessionsCommand, Result>
{
    public async ValueTask<Result> Handle(EndPortalSessionsCommand command, CancellationToken cancellationToken) =>
        await sessions.EndSessionsAsync(command.ClientId, cancellationToken) ? Result.Success() : ClientErrors.NotFound;
}
