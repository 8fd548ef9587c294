using CleanWebhooks.Api.Auth;
using CleanWebhooks.Api.Portal;
using CleanWebhooks.Application.Common.Localization;
using CleanWebhooks.Application.Deliveries.GetAttemptHistory;
using CleanWebhooks.Application.Webhooks;
using CleanWebhooks.Application.Webhooks.ListWebhooks;
using Mediator;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CleanWebhooks.Api.Pages.Portal;

/// <summary>The session's first page: the client's webhooks, each with its last 24 hours of attempts.</summary>
public sealed class IndexModel(ISender sender) : PageModel
{
    public IReadOnlyList<WebhookResponse> Webhooks { get; private set; } = [];

    public AttemptHistory History { get; private set; } = null!;

    public string? Notice { get; private set; }

    public async Task OnGetAsync(string? notice, CancellationToken cancellationToken)
    {
        var client = User.ClientId();
        Webhooks = await sender.Send(new ListWebhooksQuery(client), cancellationToken);
        History = await sender.Send(new GetAttemptHistoryQuery(client), cancellationToken);
        Notice = notice == "deleted" ? PortalTexts.Deleted.ToString() : null;
    }
}
