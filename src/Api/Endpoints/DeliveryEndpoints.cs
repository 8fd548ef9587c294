using System.Security.Claims;
using CleanWebhooks.Api.Auth;
using CleanWebhooks.Api.Http;
using CleanWebhooks.Application.Deliveries;
using CleanWebhooks.Application.Deliveries.GetDelivery;
using CleanWebhooks.Application.Deliveries.ListDeliveries;
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
            .WithDescription("Filter with status (pending, succeeded, failed, cancelled); limit is 1 to 100 (50 by default); pass nextCursor as cursor for the next page.")
            .ProducesValidationProblem();

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
        Guid id, string? status, int? limit, string? cursor, ClaimsPrincipal user, ISender sender, CancellationToken cancellationToken) =>
        (await sender.Send(new ListDeliveriesQuery(user.ClientId(), new WebhookId(id), status, limit, cursor), cancellationToken)).ToOkOrProblem();

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
