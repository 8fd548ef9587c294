using CleanWebhooks.Api.Auth;
using CleanWebhooks.Api.Portal;
using CleanWebhooks.Application.Common.Localization;
using CleanWebhooks.Application.Webhooks;
using CleanWebhooks.Application.Webhooks.DeleteWebhook;
using CleanWebhooks.Application.Webhooks.GetWebhook;
using CleanWebhooks.Domain.Webhooks;
using Mediator;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CleanWebhooks.Api.Pages.Portal;

/// <summary>Deleting a webhook asks first, on a page of its own: no script needed for the confirmation.</summary>
public sealed class DeleteModel(ISender sender) : PageModel
{
    [FromRoute]
    public Guid Id { get; set; }

    public WebhookResponse? Webhook { get; private set; }

    public string? Problem { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var webhook = await sender.Send(new GetWebhookQuery(User.ClientId(), new WebhookId(Id)), cancellationToken);
        if (webhook.IsSuccess)
        {
            Webhook = webhook.Value;
        }
        else
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
            Problem = PortalTexts.Problem(webhook.Error);
        }
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var deleted = await sender.Send(new DeleteWebhookCommand(User.ClientId(), new WebhookId(Id)), cancellationToken);
        if (deleted.IsSuccess)
        {
            return Redirect(PortalRoutes.Root + "?notice=deleted");
        }

        Response.StatusCode = StatusCodes.Status404NotFound;
        Problem = PortalTexts.Problem(deleted.Error);
        return Page();
    }
}
