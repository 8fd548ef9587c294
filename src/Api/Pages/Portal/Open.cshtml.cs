using System.Globalization;
using System.Security.Claims;
using CleanWebhooks.Api.Auth;
using CleanWebhooks.Api.Portal;
using CleanWebhooks.Application.Portal.RedeemPortalLink;
using Mediator;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CleanWebhooks.Api.Pages.Portal;

/// <summary>
/// A portal link's first load: its token is exchanged for the session cookie, and the browser is sent on to the
/// webhooks, so the token leaves the address bar and the history. The token travels in the query, not the path:
/// request telemetry redacts query values by default, and no route or log template holds it. The link works once: its
/// use is recorded in the database, so a second load, on any node, shows the expired page, as does a bad token; either
/// also signs this browser out.
/// </summary>
public sealed class OpenModel(ISender sender) : PageModel
{
    public const string ExpiresAtClaim = "expires_at";

    /// <summary>The client's portal generation when the session was opened (see <see cref="PortalSetup"/>).</summary>
    public const string GenerationClaim = "portal_generation";

    public async Task<IActionResult> OnGetAsync(string? token, CancellationToken cancellationToken)
    {
        var session = await sender.Send(new RedeemPortalLinkCommand(token ?? ""), cancellationToken);
        if (session is null)
        {
            await HttpContext.SignOutAsync(AuthSchemes.Portal);
            return Redirect(PortalRoutes.Expired);
        }

        var identity = new ClaimsIdentity(
            [
                new Claim(AuthSchemes.ClientIdClaim, session.ClientId.Value.ToString()),
                new Claim(ExpiresAtClaim, session.ExpiresAt.ToString("O", CultureInfo.InvariantCulture)),
                new Claim(GenerationClaim, session.Generation.ToString(CultureInfo.InvariantCulture)),
            ],
            AuthSchemes.Portal);
        await HttpContext.SignInAsync(AuthSchemes.Portal, new ClaimsPrincipal(identity), new AuthenticationProperties
        {
            ExpiresUtc = session.ExpiresAt,
            IsPersistent = true,
            AllowRefresh = false,
        });
        return Redirect(PortalRoutes.Root);
    }
}
