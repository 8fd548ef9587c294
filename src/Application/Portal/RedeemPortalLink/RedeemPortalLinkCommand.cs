using CleanWebhooks.Application.Common.Abstractions;
using Mediator;

namespace CleanWebhooks.Application.Portal.RedeemPortalLink;

/// <summary>
/// A portal link's first use (contract section 8, "a link works once"): the session its token carries, once; null when
/// the token is forged, tampered with or expired, when the link was used before (here or on any other node), or when
/// the client's sessions were ended since it was opened.
/// </summary>
public sealed record RedeemPortalLinkCommand(string Token) : ICommand<PortalSession?>;

public sealed class RedeemPortalLinkCommandHandler(IPortalSessionTokens tokens, IPortalSessionStore sessions, TimeProvider clock)
    : ICommandHandler<RedeemPortalLinkCommand, PortalSession?>
{
    public async ValueTask<PortalSession?> Handle(RedeemPortalLinkCommand command, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        return tokens.Read(command.Token) is { } session && session.ExpiresAt > now && await sessions.RedeemAsync(session, now, cancellationToken)
            ? session
            : null;
    }
}
