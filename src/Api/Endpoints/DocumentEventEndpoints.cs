using System.Security.Claims;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using CleanWebhooks.Api.Auth;
using CleanWebhooks.Api.Http;
using CleanWebhooks.Application.Deliveries.ReportDocumentEvent;
using CleanWebhooks.Application.Deliveries.ReportDocumentEventBatch;
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

        app.MapPost("/internal/document_events/batch", ReportDocumentEventBatch)
            .WithTags("Document events (internal)")
            .RequireAuthorization(AuthPolicies.Internal)
            .WithName("ReportDocumentEventBatch")
            .WithSummary("Reports 1 to 1,000 finished documents at once; one result per event, in order.")
            .WithDescription(
                "Each result is {eventId, deliveryId} for an event stored durably before this answer, or {error: problem} for one refused " +
                "(invalid, unknown client); a refused event never stops the others. An event's idempotencyKey means what the " +
                "Idempotency-Key header means for a single event. Bodies up to 8 MB. A storage fault answers 503 for the whole batch: " +
                "some of its events may have been stored, so send idempotency keys to retry it safely.")
            .WithMetadata(new RequestSizeLimitAttribute(RequestBodyLimit.BatchMaxBytes))
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    private static async Task<Results<Ok<DocumentEventBatchResponse>, ProblemHttpResult>> ReportDocumentEventBatch(
        ReportDocumentEventBatchRequest request, ClaimsPrincipal user, ISender sender, CancellationToken cancellationToken)
    {
        var result = await sender.Send(new ReportDocumentEventBatchCommand(request.Events, user.Caller()), cancellationToken);
        if (!result.IsSuccess)
        {
            return result.Error.ToProblem();
        }

        return TypedResults.Ok(new DocumentEventBatchResponse([.. result.Value.Select(r => r.IsSuccess
            ? new DocumentEventBatchResult(r.Value.EventId, r.Value.DeliveryId, null)
            : new DocumentEventBatchResult(null, null, r.Error.ToItemProblem()))]));
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

/// <summary>The answer of a batch: one result per event, in the order of the request.</summary>
public sealed record DocumentEventBatchResponse(IReadOnlyList<DocumentEventBatchResult> Results);

/// <summary>
/// An event's result: <c>eventId</c> and <c>deliveryId</c> (null when the client has no webhook of that type) when it
/// is stored, or only <c>error</c>, the problem a single report of it would have answered, when it is refused.
/// </summary>
public sealed record DocumentEventBatchResult(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Guid? EventId,
    Guid? DeliveryId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ProblemDetails? Error)
{
    /// <summary>
    /// A refused event's result is <c>{"error": ...}</c> alone, as contract section 10 shows it; a stored one keeps its
    /// <c>deliveryId</c> even when null (no webhook of that type), as the single intake answers.
    /// </summary>
    public static void LeaveDeliveryIdOutOfErrors(JsonTypeInfo typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        if (typeInfo.Type != typeof(DocumentEventBatchResult))
        {
            return;
        }

        foreach (var property in typeInfo.Properties.Where(p => p.Name == "deliveryId"))
        {
            property.ShouldSerialize = (result, _) => ((DocumentEventBatchResult)result).Error is null;
        }
    }
}
