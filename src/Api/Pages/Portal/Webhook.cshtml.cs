using CleanWebhooks.Api.Auth;
using CleanWebhooks.Api.Portal;
using CleanWebhooks.Application.Common.Localization;
using CleanWebhooks.Application.Deliveries;
using CleanWebhooks.Application.Deliveries.ListDeliveries;
using CleanWebhooks.Application.Webhooks;
using CleanWebhooks.Application.Webhooks.GetSigningSecret;
using CleanWebhooks.Application.Webhooks.GetWebhook;
using CleanWebhooks.Application.Webhooks.EnableWebhook;
using CleanWebhooks.Application.Webhooks.RotateSigningSecret;
using CleanWebhooks.Domain.Common;
using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Domain.Webhooks;
using Mediator;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CleanWebhooks.Api.Pages.Portal;

/// <summary>One webhook: its settings, its signing secret (reveal, rotate), and its deliveries, newest first, a page at a time.</summary>
public sealed class WebhookModel(ISender sender) : PageModel
{
    public const int PageSize = 25;

    public static readonly IReadOnlyList<string> Statuses = [.. Enum.GetValues<DeliveryStatus>().Select(s => s.ToText())];

    [FromRoute]
    public Guid Id { get; set; }

    [FromQuery]
    public string? Status { get; set; }

    [FromQuery]
    public string? Cursor { get; set; }

    public WebhookResponse? Webhook { get; private set; }

    public DeliveryPage? Deliveries { get; private set; }

    public string? Secret { get; private set; }

    public bool Rotated { get; private set; }

    public string? Problem { get; private set; }

    public Task OnGetAsync(CancellationToken cancellationToken) => LoadAsync(cancellationToken);

    public async Task OnPostRevealSecretAsync(CancellationToken cancellationToken)
    {
        var secret = await sender.Send(new GetSigningSecretQuery(User.ClientId(), new WebhookId(Id)), cancellationToken);
        if (secret.IsSuccess)
        {
            // Under ed25519 there is no secret to show: the public key is what the receiver verifies with.
            Secret = secret.Value.Key ?? secret.Value.PublicKey;
        }

        await LoadAsync(cancellationToken, secret.Error);
    }

    public async Task OnPostRotateSecretAsync(CancellationToken cancellationToken)
    {
        var rotated = await sender.Send(new RotateSigningSecretCommand(User.ClientId(), new WebhookId(Id)), cancellationToken);
        if (rotated.IsSuccess)
        {
            Secret = rotated.Value.Key ?? rotated.Value.PublicKey;
            Rotated = true;
        }

        await LoadAsync(cancellationToken, rotated.Error);
    }

    public async Task<IActionResult> OnPostEnableAsync(CancellationToken cancellationToken)
    {
        var enabled = await sender.Send(new EnableWebhookCommand(User.ClientId(), new WebhookId(Id)), cancellationToken);
        if (enabled.IsSuccess)
        {
            // Post, then redirect: a reload shows the webhook again instead of sending the form once more.
            return Redirect(PortalRoutes.Webhook(Id));
        }

        await LoadAsync(cancellationToken, enabled.Error);
        return Page();
    }

    /// <summary>The address of a page of deliveries with the current filter.</summary>
    public string PageUrl(string? cursor)
    {
        var query = new QueryBuilder();
        if (!string.IsNullOrEmpty(Status))
        {
            query.Add("status", Status);
        }

        if (cursor is not null)
        {
            query.Add("cursor", cursor);
        }

        return PortalRoutes.Webhook(Id) + query;
    }

    private async Task LoadAsync(CancellationToken cancellationToken, Error? failure = null)
    {
        var client = User.ClientId();
        var webhook = await sender.Send(new GetWebhookQuery(client, new WebhookId(Id)), cancellationToken);
        if (!webhook.IsSuccess)
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
            Problem = PortalTexts.Problem(webhook.Error);
            return;
        }

        Webhook = webhook.Value;
        var deliveries = await sender.Send(new ListDeliveriesQuery(client, new WebhookId(Id), Status, PageSize, Cursor), cancellationToken);
        if (deliveries.IsSuccess)
        {
            Deliveries = deliveries.Value;
        }
        else
        {
            failure ??= deliveries.Error;
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }

        if (failure is not null)
        {
            Problem = PortalTexts.Problem(failure);
            if (Response.StatusCode == StatusCodes.Status200OK)
            {
                Response.StatusCode = failure.Type == ErrorType.Conflict ? StatusCodes.Status409Conflict : StatusCodes.Status404NotFound;
            }
        }
    }
}
