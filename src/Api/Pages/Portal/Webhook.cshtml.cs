using System.Globalization;
using CleanWebhooks.Api.Auth;
using CleanWebhooks.Api.Portal;
using CleanWebhooks.Application.Common.Localization;
using CleanWebhooks.Application.Deliveries;
using CleanWebhooks.Application.Deliveries.GetAttemptHistory;
using CleanWebhooks.Application.Deliveries.ListDeliveries;
using CleanWebhooks.Application.Deliveries.RecoverDeliveries;
using CleanWebhooks.Application.Deliveries.SendTestEvent;
using CleanWebhooks.Application.Webhooks;
using CleanWebhooks.Application.Webhooks.GetSigningSecret;
using CleanWebhooks.Application.Webhooks.GetWebhook;
using CleanWebhooks.Application.Webhooks.EnableWebhook;
using CleanWebhooks.Application.Webhooks.RotateSigningSecret;
using CleanWebhooks.Application.Webhooks.SetWebhookLimits;
using CleanWebhooks.Domain.Common;
using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Domain.Webhooks;
using Mediator;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CleanWebhooks.Api.Pages.Portal;

/// <summary>
/// One webhook: its health (and enable), its settings with a test event, its attempts per hour, its deliveries
/// (newest first, a page at a time, by status and by document), recovering its failed deliveries after an outage (a
/// count first, then a confirmation), its own limits, and its signing secret (reveal, rotate).
/// </summary>
public sealed class WebhookModel(ISender sender, DisplayTime time, TimeProvider clock) : PageModel
{
    public const int PageSize = 25;

    public static readonly IReadOnlyList<string> Statuses = [.. Enum.GetValues<DeliveryStatus>().Select(s => s.ToText())];

    [FromRoute]
    public Guid Id { get; set; }

    [FromQuery]
    public string? Status { get; set; }

    [FromQuery]
    public string? Cursor { get; set; }

    [FromQuery]
    public string? DocumentId { get; set; }

    public WebhookResponse? Webhook { get; private set; }

    public DeliveryPage? Deliveries { get; private set; }

    public string? Secret { get; private set; }

    public bool Rotated { get; private set; }

    public string? Problem { get; private set; }

    public string? Notice { get; private set; }

    /// <summary>The client's attempts of the last 24 hours, per hour, of this webhook.</summary>
    public IReadOnlyList<HourlyAttempts> History { get; private set; } = [];

    /// <summary>A recovery's dry run, shown for the integrator to confirm.</summary>
    public RecoveryPreview? Preview { get; private set; }

    /// <summary>The recovery form's start as the integrator typed it (or a day ago), in the display time zone.</summary>
    public string SinceInput { get; private set; } = "";

    public string UntilInput { get; private set; } = "";

    public async Task OnGetAsync(string? notice, int? count, CancellationToken cancellationToken)
    {
        Notice = notice switch
        {
            "recovered" => PortalTexts.Recovered.Format(count ?? 0),
            "limits" => PortalTexts.LimitsSaved.ToString(),
            _ => null,
        };
        await LoadAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostTestAsync(CancellationToken cancellationToken)
    {
        var sent = await sender.Send(new SendTestEventCommand(User.ClientId(), new WebhookId(Id)), cancellationToken);
        if (sent.IsSuccess)
        {
            // Post, then redirect to the test delivery: a reload shows it instead of sending another.
            return Redirect(PortalRoutes.Delivery(Id, sent.Value.DeliveryId) + "?notice=test");
        }

        await LoadAsync(cancellationToken, sent.Error);
        return Page();
    }

    /// <summary>The recovery's dry run: how many failed deliveries the times take, before anything changes.</summary>
    public async Task OnPostRecoverPreviewAsync([FromForm] string? since, [FromForm] string? until, CancellationToken cancellationToken)
    {
        SinceInput = since ?? "";
        UntilInput = until ?? "";
        var from = time.ParseInput(since);
        var to = string.IsNullOrEmpty(until) ? clock.GetUtcNow() : time.ParseInput(until);
        if (from is null || to is null)
        {
            await LoadAsync(cancellationToken);
            Response.StatusCode = StatusCodes.Status400BadRequest;
            Problem = PortalTexts.InvalidTime.ToString();
            return;
        }

        var counted = await sender.Send(new RecoverDeliveriesCommand(User.ClientId(), new WebhookId(Id), from, to, DryRun: true), cancellationToken);
        if (counted.IsSuccess)
        {
            Preview = new RecoveryPreview(counted.Value.Count, from.Value, to.Value);
        }

        await LoadAsync(cancellationToken, counted.Error);
    }

    /// <summary>The confirmed recovery, over exactly the times its dry run counted.</summary>
    public async Task<IActionResult> OnPostRecoverAsync([FromForm] DateTimeOffset? since, [FromForm] DateTimeOffset? until, CancellationToken cancellationToken)
    {
        var recovered = await sender.Send(new RecoverDeliveriesCommand(User.ClientId(), new WebhookId(Id), since, until, DryRun: false), cancellationToken);
        if (recovered.IsSuccess)
        {
            return Redirect(PortalRoutes.Webhook(Id) + $"?notice=recovered&count={recovered.Value.Count.ToString(CultureInfo.InvariantCulture)}");
        }

        await LoadAsync(cancellationToken, recovered.Error);
        return Page();
    }

    /// <summary>Both limits, replaced as <c>PUT .../limits</c> replaces them (an empty field is no limit).</summary>
    public async Task<IActionResult> OnPostLimitsAsync([FromForm] string? maxInFlight, [FromForm] string? maxPerSecond, CancellationToken cancellationToken)
    {
        if (!TryLimit(maxInFlight, out var inFlight) || !TryLimit(maxPerSecond, out var perSecond))
        {
            await LoadAsync(cancellationToken);
            Response.StatusCode = StatusCodes.Status400BadRequest;
            Problem = PortalTexts.LimitsNotNumbers.ToString();
            return Page();
        }

        var set = await sender.Send(new SetWebhookLimitsCommand(User.ClientId(), new WebhookId(Id), inFlight, perSecond), cancellationToken);
        if (set.IsSuccess)
        {
            return Redirect(PortalRoutes.Webhook(Id) + "?notice=limits");
        }

        await LoadAsync(cancellationToken, set.Error);
        if (set.Error is ValidationError invalid)
        {
            // Each field's own text (its range), in the page's language.
            Problem = string.Join(" ", invalid.Errors.Values.SelectMany(messages => messages));
        }

        return Page();

        static bool TryLimit(string? text, out int? limit)
        {
            limit = null;
            if (string.IsNullOrWhiteSpace(text))
            {
                return true;
            }

            var parsed = int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value);
            limit = parsed ? value : null;
            return parsed;
        }
    }

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

        if (!string.IsNullOrEmpty(DocumentId))
        {
            query.Add("documentId", DocumentId);
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
        History = (await sender.Send(new GetAttemptHistoryQuery(client), cancellationToken)).Of(Id);
        if (SinceInput.Length == 0)
        {
            SinceInput = time.Input(clock.GetUtcNow().AddDays(-1));
        }

        var deliveries = await sender.Send(
            new ListDeliveriesQuery(client, new WebhookId(Id), Status, PageSize, Cursor, DocumentId), cancellationToken);
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
                Response.StatusCode = failure.Type switch
                {
                    ErrorType.Conflict => StatusCodes.Status409Conflict,
                    ErrorType.Validation => StatusCodes.Status400BadRequest,
                    _ => StatusCodes.Status404NotFound,
                };
            }
        }
    }
}

/// <summary>A recovery's dry run: how many failed deliveries were created in [<see cref="Since"/>, <see cref="Until"/>).</summary>
public sealed record RecoveryPreview(int Count, DateTimeOffset Since, DateTimeOffset Until);
