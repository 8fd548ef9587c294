using System.Globalization;
using System.Security.Claims;
using CleanWebhooks.Api.Auth;
using CleanWebhooks.Api.Portal;
using CleanWebhooks.Application.Portal.ReadPortalSession;
using Mediator;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CleanWebhooks.Api.Pages.Portal;

/// <summary>
/// A portal link's first load: its token is exchanged for the session cookie, and the browser is sent on to the
/// webhooks, so the token leaves the address bar and the history. The token travels in the query, not the path:
/// request telemetry redacts query values by default, and no route or log template holds it. A bad token signs out and shows the expired page.
/// </summary>
public sealed class OpenModel(ISender sender) : PageModel
{
    public const string ExpiresAtClaim = "expires_at";

    public async Task<IActionResult> OnGetAsync(string? token, CancellationToken cancellationToken)
    {
        var session = await sender.Send(new ReadPortalSessionQuery(token ?? ""), cancellationToken);
        if (session is null)
        {
            await HttpContext.SignOutAsync(AuthSchemes.Portal);
            return Redirect(PortalRoutes.Expired);
        }

        var identity = new ClaimsIdentity(
            [
                new Claim(AuthSchemes.ClientIdClaim, session.ClientId.Value.ToString()),
                new Claim(ExpiresAtClaim, session.ExpiresAt.ToString("O", CultureInfo.InvariantCulture)),
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
