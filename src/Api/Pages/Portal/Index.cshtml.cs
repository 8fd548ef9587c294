using CleanWebhooks.Api.Auth;
using CleanWebhooks.Api.Portal;
using CleanWebhooks.Application.Common.Localization;
using CleanWebhooks.Application.Deliveries;
using CleanWebhooks.Application.Deliveries.FindDocumentDeliveries;
using CleanWebhooks.Application.Deliveries.GetAttemptHistory;
using CleanWebhooks.Application.Webhooks;
using CleanWebhooks.Application.Webhooks.ListWebhooks;
using Mediator;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CleanWebhooks.Api.Pages.Portal;

/// <summary>
/// The session's first page: the client's webhooks, each with its last 24 hours of attempts, and a search for a
/// document's deliveries across all of them ("did you send it?").
/// </summary>
public sealed class IndexModel(ISender sender) : PageModel
{
    public const int PageSize = 25;

    [FromQuery]
    public string? DocumentId { get; set; }

    [FromQuery]
    public string? Cursor { get; set; }

    public IReadOnlyList<WebhookResponse> Webhooks { get; private set; } = [];

    public AttemptHistory History { get; private set; } = null!;

    /// <summary>The searched document's deliveries, when a document was searched.</summary>
    public DeliveryPage? Found { get; private set; }

    public string? Notice { get; private set; }

    public string? Problem { get; private set; }

    public async Task OnGetAsync(string? notice, CancellationToken cancellationToken)
    {
        var client = User.ClientId();
        Webhooks = await sender.Send(new ListWebhooksQuery(client), cancellationToken);
        History = await sender.Send(new GetAttemptHistoryQuery(client), cancellationToken);
        Notice = notice == "deleted" ? PortalTexts.Deleted.ToString() : null;
        if (DocumentId is null)
        {
            return;
        }

        var found = await sender.Send(new FindDocumentDeliveriesQuery(client, DocumentId, PageSize, Cursor), cancellationToken);
        if (found.IsSuccess)
        {
            Found = found.Value;
        }
        else
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            Problem = PortalTexts.Problem(found.Error);
        }
    }

    /// <summary>The address of the next page of the searched document's deliveries.</summary>
    public string SearchUrl(string cursor) => PortalRoutes.Root + new QueryBuilder { { "documentId", DocumentId ?? "" }, { "cursor", cursor } };
}
