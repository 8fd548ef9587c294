using System.Security.Claims;
using CleanWebhooks.Api.Auth;
using CleanWebhooks.Api.Http;
using CleanWebhooks.Application.Deliveries.ReportDocumentEvent;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace CleanWebhooks.Api.Endpoints;

/// <summary>The platform reports finished documents here; each becomes a durable delivery to the client's webhook.</summary>
public static class DocumentEventEndpoints
{
    public static IEndpointRouteBuilder MapDocumentEventEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/internal/document_events", ReportDocumentFinished)
            .WithTags("Document events (internal)")
            .RequireAuthorization(AuthPolicies.Internal)
            .WithName("ReportDocumentFinished")
            .WithSummary("Reports a finished document; delivers it to the client's webhook of that type.")
            .WithDescription("The same Idempotency-Key from the same caller for the same client within 24 h returns the first answer and creates nothing.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        return app;
    }

    private static async Task<Results<Accepted<DocumentEventAccepted>, ProblemHttpResult>> ReportDocumentFinished(
        ReportDocumentEventRequest request,
        [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey,
        ClaimsPrincipal user,
        ISender sender,
        CancellationToken cancellationToken)
    {
        var command = new ReportDocumentEventCommand(request.ClientId, request.DocumentId, request.Type, request.Data, idempotencyKey, user.Caller());
        var result = await sender.Send(command, cancellationToken);
        return result.IsSuccess ? TypedResults.Accepted((string?)null, result.Value) : result.Error.ToProblem();
    }
}
