using CleanWebhooks.Api.Auth;
using CleanWebhooks.Api.Portal;
using CleanWebhooks.Application.Common.Localization;
using CleanWebhooks.Application.Deliveries;
using CleanWebhooks.Application.Deliveries.GetDelivery;
using CleanWebhooks.Application.Deliveries.RetryDelivery;
using CleanWebhooks.Application.Webhooks;
using CleanWebhooks.Application.Webhooks.GetWebhook;
using CleanWebhooks.Domain.Common;
using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Domain.Webhooks;
using Mediator;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CleanWebhooks.Api.Pages.Portal;

/// <summary>One delivery with every attempt (time, duration, status code or error, the answer's excerpt), and a retry.</summary>
public sealed class DeliveryModel(ISender sender) : PageModel
{
    [FromRoute]
    public Guid Id { get; set; }

    [FromRoute]
    public Guid DeliveryId { get; set; }

    public DeliveryDetailsResponse? Delivery { get; private set; }

    /// <summary>The delivery's webhook, for its name and for when the delivery goes next (its breaker, whether it is disabled).</summary>
    public WebhookResponse? Webhook { get; private set; }

    public string? Notice { get; private set; }

    public string? Problem { get; private set; }

    public async Task OnGetAsync(string? notice, CancellationToken cancellationToken)
    {
        Notice = notice switch
        {
            "retried" => PortalTexts.Retried.ToString(),
            "test" => PortalTexts.TestSent.ToString(),
            _ => null,
        };
        await LoadAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostRetryAsync(CancellationToken cancellationToken)
    {
        var retried = await sender.Send(new RetryDeliveryCommand(User.ClientId(), new WebhookId(Id), new DeliveryId(DeliveryId)), cancellationToken);
        if (retried.IsSuccess)
        {
            // Post, then redirect: reloading the page must not retry again.
            return Redirect(PortalRoutes.Delivery(Id, DeliveryId) + "?notice=retried");
        }

        await LoadAsync(cancellationToken, retried.Error);
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken, Error? failure = null)
    {
        var client = User.ClientId();
        var delivery = await sender.Send(new GetDeliveryQuery(client, new WebhookId(Id), new DeliveryId(DeliveryId)), cancellationToken);
        if (!delivery.IsSuccess)
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
            Problem = PortalTexts.Problem(delivery.Error);
            return;
        }

        Delivery = delivery.Value;
        var webhook = await sender.Send(new GetWebhookQuery(client, new WebhookId(Id)), cancellationToken);
        Webhook = webhook.IsSuccess ? webhook.Value : null;
        if (failure is not null)
        {
            Response.StatusCode = failure.Type == ErrorType.Conflict ? StatusCodes.Status409Conflict : StatusCodes.Status404NotFound;
            Problem = PortalTexts.Problem(failure);
        }
    }
}
