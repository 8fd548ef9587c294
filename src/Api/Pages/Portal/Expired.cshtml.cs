using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CleanWebhooks.Api.Pages.Portal;

/// <summary>Where a forged, tampered or expired link, or a page without a session, ends: nothing but this message.</summary>
public sealed class ExpiredModel : PageModel
{
    public void OnGet() => Response.StatusCode = StatusCodes.Status403Forbidden;
}
