using System.Diagnostics;
using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Application.Deliveries.AttemptDelivery;

namespace CleanWebhooks.Infrastructure.Telemetry;

/// <summary>The spans of the delivery engine: one per attempt, one per token fetch.</summary>
internal static class DeliveryTracing
{
    public const string AttemptSpan = "delivery attempt";
    public const string TokenFetchSpan = "token fetch";
    public const string IntakeCommitSpan = "intake commit";

    /// <summary>
    /// Starts an attempt's span as the root of its own trace (a retry hours later is no part of the intake request),
    /// linked to the trace of the request that reported the event.
    /// </summary>
    public static Activity? StartAttempt(ClaimedDelivery claimed)
    {
        if (claimed is null || !Tracing.Source.HasListeners())
        {
            return null;
        }

        Activity.Current = null;
        ActivityLink[]? links = ActivityContext.TryParse(claimed.Message.TraceParent, null, isRemote: true, out var intake)
            ? [new ActivityLink(intake)]
            : null;
        var activity = Tracing.Source.StartActivity(ActivityKind.Internal, parentContext: default, links: links, name: AttemptSpan);
        activity?.SetTag("cleanwebhooks.delivery.id", claimed.Delivery.Id.Value)
            .SetTag("cleanwebhooks.webhook.id", claimed.Delivery.WebhookId.Value)
            .SetTag("cleanwebhooks.event.id", claimed.Message.EventId.Value)
            .SetTag("cleanwebhooks.attempt.number", claimed.Delivery.AttemptCount + 1);
        return activity;
    }

    /// <summary>
    /// Starts the span of one group commit of the intake: the root of its own trace, since it serves many requests,
    /// linked to the trace of each.
    /// </summary>
    public static Activity? StartIntakeCommit(IEnumerable<string?> traceParents, int events)
    {
        if (!Tracing.Source.HasListeners())
        {
            return null;
        }

        return Tracing.Source.StartActivity(ActivityKind.Internal, parentContext: default, links: Links(traceParents), name: IntakeCommitSpan)
            ?.SetTag("cleanwebhooks.intake.events", events);
    }

    /// <summary>
    /// The group commit took more events into its transaction: linked to the traces it was not yet linked to (a batch
    /// request's events share one, and may span two chunks), and counted.
    /// </summary>
    public static void IntakeCommitGrew(Activity? activity, IEnumerable<string?> traceParents, int events)
    {
        if (activity is null)
        {
            return;
        }

        var linked = activity.Links.Select(link => link.Context).ToHashSet();
        foreach (var link in Links(traceParents).Where(link => !linked.Contains(link.Context)))
        {
            activity.AddLink(link);
        }

        activity.SetTag("cleanwebhooks.intake.events", events);
    }

    private static List<ActivityLink> Links(IEnumerable<string?> traceParents) =>
        traceParents.Distinct()
            .Select(p => ActivityContext.TryParse(p, null, isRemote: true, out var context) ? new ActivityLink(context) : default)
            .Where(link => link.Context != default)
            .ToList();

    /// <summary>Records the attempt's outcome on its span; returns the attempt.</summary>
    public static DeliveryAttempt Ended(Activity? activity, DeliveryAttempt attempt)
    {
        if (activity is not null)
        {
            activity.SetTag("http.response.status_code", attempt.StatusCode);
            if (!attempt.Succeeded)
            {
                activity.SetTag("error.type", attempt.Error ?? attempt.StatusCode?.ToString(System.Globalization.CultureInfo.InvariantCulture));
                activity.SetStatus(ActivityStatusCode.Error);
            }
        }

        return attempt;
    }
}
