using System.Security.Claims;
using CleanWebhooks.Api.Auth;
using CleanWebhooks.Api.Http;
using CleanWebhooks.Application.Deliveries;
using CleanWebhooks.Application.Deliveries.GetDelivery;
using CleanWebhooks.Application.Deliveries.ListDeliveries;
using CleanWebhooks.Application.Deliveries.RecoverDeliveries;
using CleanWebhooks.Application.Deliveries.RetryDelivery;
using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Domain.Webhooks;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CleanWebhooks.Api.Endpoints;

/// <summary>Integrators see every delivery of their webhooks, with every attempt, and can retry one now.</summary>
public static class DeliveryEndpoints
{
    public static IEndpointRouteBuilder MapDeliveryEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(WebhookEndpoints.Route + "/{id:guid}/deliveries")
            .WithTags("Deliveries")
            .RequireAuthorization(AuthPolicies.Integrator)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("", ListDeliveries)
            .WithName("ListDeliveries")
            .WithSummary("Lists a webhook's deliveries, newest first, a page at a time.")
            .WithDescription(
                "Filter with status (pending, succeeded, failed, cancelled), with documentId (a document's deliveries: its exact id), or both; " +
                "limit is 1 to 100 (50 by default); pass nextCursor as cursor for the next page.")
            .ProducesValidationProblem();

        group.MapPost("recover", RecoverDeliveries)
            .WithName("RecoverDeliveries")
            .WithSummary("Sends again the webhook's deliveries that ended failed and were created in [since, until), after an outage.")
            .WithDescription(
                "until defaults to now; timestamps are ISO 8601 with an offset (Z or ±hh:mm). With dryRun: 200 and the count, nothing changes. " +
                "Otherwise 202 and the count: each is pending again and due at once, its earlier attempts kept (numbering goes on). Unlike a " +
                "manual retry, recovered deliveries go out within the webhook's window and limits and wait for an open circuit breaker. " +
                "Deliveries already purged by retention cannot be recovered. 400 when since is not before until; 409 while the webhook is disabled.")
            .Accepts<RecoverDeliveriesRequest>("application/json")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        group.MapGet("{deliveryId:guid}", GetDelivery)
            .WithName("GetDelivery")
            .WithSummary("Reads one delivery with all its attempts.");

        group.MapPost("{deliveryId:guid}/retry", RetryDelivery)
            .WithName("RetryDelivery")
            .WithSummary("Makes a delivery due now (a failed one too), even while the circuit breaker holds its webhook.")
            .WithDescription("409 while it is being attempted, and while its webhook is disabled (enable the webhook first).")
            .ProducesProblem(StatusCodes.Status409Conflict);

        return app;
    }

    private static async Task<Results<Ok<DeliveryPage>, ProblemHttpResult>> ListDeliveries(
        Guid id, string? status, int? limit, string? cursor, string? documentId, ClaimsPrincipal user, ISender sender, CancellationToken cancellationToken) =>
        (await sender.Send(new ListDeliveriesQuery(user.ClientId(), new WebhookId(id), status, limit, cursor, documentId), cancellationToken)).ToOkOrProblem();

    private static async Task<Results<Ok<RecoveredDeliveries>, Accepted<RecoveredDeliveries>, ProblemHttpResult>> RecoverDeliveries(
        Guid id, RecoverDeliveriesRequest request, ClaimsPrincipal user, ISender sender, CancellationToken cancellationToken)
    {
        var command = RecoverDeliveriesCommand.From(user.ClientId(), new WebhookId(id), request);
        var result = await sender.Send(command, cancellationToken);
        if (!result.IsSuccess)
        {
            return result.Error.ToProblem();
        }

        return command.DryRun ? TypedResults.Ok(result.Value) : TypedResults.Accepted((string?)null, result.Value);
    }

    private static async Task<Results<Ok<DeliveryDetailsResponse>, ProblemHttpResult>> GetDelivery(
        Guid id, Guid deliveryId, ClaimsPrincipal user, ISender sender, CancellationToken cancellationToken) =>
        (await sender.Send(new GetDeliveryQuery(user.ClientId(), new WebhookId(id), new DeliveryId(deliveryId)), cancellationToken)).ToOkOrProblem();

    private static async Task<Results<Accepted<DeliveryDetailsResponse>, ProblemHttpResult>> RetryDelivery(
        Guid id, Guid deliveryId, ClaimsPrincipal user, ISender sender, CancellationToken cancellationToken)
    {
        var result = await sender.Send(new RetryDeliveryCommand(user.ClientId(), new WebhookId(id), new DeliveryId(deliveryId)), cancellationToken);
        return result.IsSuccess
            ? TypedResults.Accepted($"{WebhookEndpoints.Route}/{id}/deliveries/{deliveryId}", result.Value)
            : result.Error.ToProblem();
    }
}
