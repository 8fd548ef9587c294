using CleanWebhooks.Api.Auth;
using CleanWebhooks.Api.Http;
using CleanWebhooks.Application.Clients.CreateClient;
using CleanWebhooks.Application.Clients.IssueApiKey;
using CleanWebhooks.Application.Clients.RevokeApiKey;
using CleanWebhooks.Application.Deliveries;
using CleanWebhooks.Application.Deliveries.FindDocumentDeliveries;
using CleanWebhooks.Application.Portal.EndPortalSessions;
using CleanWebhooks.Application.Portal.OpenPortalSession;
using CleanWebhooks.Api.Portal;
using CleanWebhooks.Domain.Clients;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CleanWebhooks.Api.Endpoints;

/// <summary>The internal API for the platform's services: clients and their API keys.</summary>
public static class ClientEndpoints
{
    public static IEndpointRouteBuilder MapClientEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/internal/clients")
            .WithTags("Clients (internal)")
            .RequireAuthorization(AuthPolicies.Internal)
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        group.MapPost("", CreateClient)
            .WithName("CreateClient")
            .WithSummary("Creates a client and its first API key, shown only in this answer.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        group.MapPost("{clientId:guid}/api_keys", IssueApiKey)
            .WithName("IssueApiKey")
            .WithSummary("Issues another API key for a client, shown only in this answer.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapDelete("{clientId:guid}/api_keys/{apiKeyId:guid}", RevokeApiKey)
            .WithName("RevokeApiKey")
            .WithSummary("Revokes an API key; it stops working at once on this node and within ApiKeys:CacheLifetime (2 s by default) on the others.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("{clientId:guid}/deliveries", FindDocumentDeliveries)
            .WithTags("Support (internal)")
            .WithName("FindDocumentDeliveries")
            .WithSummary("Lists a document's deliveries across all of a client's webhooks, newest first, a page at a time.")
            .WithDescription("documentId is required and matched exactly; limit is 1 to 100 (50 by default); pass nextCursor as cursor for the next page.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPost("{clientId:guid}/portal_sessions", OpenPortalSession)
            .WithName("OpenPortalSession")
            .WithSummary("Opens an integrator portal session: a link, relative to the service root, that shows this client's data until expiresAt.")
            .WithDescription("Send the platform's user to the url (or embed it, see Portal:FrameAncestors). It carries a sealed, short-lived token that the first page load exchanges for a cookie; no API key reaches the browser.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapDelete("{clientId:guid}/portal_sessions", EndPortalSessions)
            .WithName("EndPortalSessions")
            .WithSummary("Ends every portal session of a client opened before this call, and every link opened before it and not yet used.")
            .WithDescription("At once on every node: each portal page checks the database. Sessions opened after this call are not affected.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        return app;
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> EndPortalSessions(
        Guid clientId, ISender sender, CancellationToken cancellationToken) =>
        (await sender.Send(new EndPortalSessionsCommand(new ClientId(clientId)), cancellationToken)).ToNoContentOrProblem();

    private static async Task<Results<Ok<DeliveryPage>, ProblemHttpResult>> FindDocumentDeliveries(
        Guid clientId, string? documentId, int? limit, string? cursor, ISender sender, CancellationToken cancellationToken) =>
        (await sender.Send(new FindDocumentDeliveriesQuery(new ClientId(clientId), documentId, limit, cursor), cancellationToken)).ToOkOrProblem();

    private static async Task<Results<Created<PortalSessionResponse>, ProblemHttpResult>> OpenPortalSession(
        Guid clientId, ISender sender, CancellationToken cancellationToken)
    {
        var result = await sender.Send(new OpenPortalSessionCommand(new ClientId(clientId)), cancellationToken);
        if (!result.IsSuccess)
        {
            return result.Error.ToProblem();
        }

        var url = PortalRoutes.Open(result.Value.Token);
        return TypedResults.Created(url, new PortalSessionResponse(url, result.Value.ExpiresAt));
    }

    private static async Task<Results<Created<CreateClientResponse>, ProblemHttpResult>> CreateClient(
        CreateClientRequest request, ISender sender, CancellationToken cancellationToken)
    {
        var result = await sender.Send(new CreateClientCommand(request.Name), cancellationToken);
        return result.IsSuccess
            ? TypedResults.Created($"/internal/clients/{result.Value.Id}", result.Value)
            : result.Error.ToProblem();
    }

    private static async Task<Results<Created<ApiKeyResponse>, ProblemHttpResult>> IssueApiKey(
        Guid clientId, ISender sender, CancellationToken cancellationToken)
    {
        var result = await sender.Send(new IssueApiKeyCommand(new ClientId(clientId)), cancellationToken);
        return result.IsSuccess
            ? TypedResults.Created($"/internal/clients/{clientId}/api_keys/{result.Value.ApiKeyId}", result.Value)
            : result.Error.ToProblem();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeApiKey(
        Guid clientId, Guid apiKeyId, ISender sender, CancellationToken cancellationToken) =>
        (await sender.Send(new RevokeApiKeyCommand(new ClientId(clientId), new ApiKeyId(apiKeyId)), cancellationToken)).ToNoContentOrProblem();
}

