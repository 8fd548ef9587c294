using System.Security.Claims;
using CleanWebhooks.Api.Auth;
using CleanWebhooks.Api.Http;
using CleanWebhooks.Application.Deliveries.SendTestEvent;
using CleanWebhooks.Application.Webhooks;
using CleanWebhooks.Application.Webhooks.CreateWebhook;
using CleanWebhooks.Application.Webhooks.DeleteWebhook;
using CleanWebhooks.Application.Webhooks.EnableWebhook;
using CleanWebhooks.Application.Webhooks.GetSigningPublicKeys;
using CleanWebhooks.Application.Webhooks.GetSigningSecret;
using CleanWebhooks.Application.Webhooks.GetWebhook;
using CleanWebhooks.Application.Webhooks.ListWebhooks;
using CleanWebhooks.Application.Webhooks.RotateSigningSecret;
using CleanWebhooks.Application.Webhooks.SetSigningScheme;
using CleanWebhooks.Application.Webhooks.SetWebhookLimits;
using CleanWebhooks.Domain.Webhooks;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CleanWebhooks.Api.Endpoints;

/// <summary>The integrator API of the seed page: create, list, read and delete webhooks.</summary>
public static class WebhookEndpoints
{
    public const string Route = "/api_document/document_webhooks";

    public static IEndpointRouteBuilder MapWebhookEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(Route)
            .WithTags("Webhooks")
            .RequireAuthorization(AuthPolicies.Integrator)
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        group.MapPost("", CreateWebhook)
            .WithName("CreateWebhook")
            .WithSummary("Creates the client's webhook for an event type.")
            .WithDescription("Only one webhook of each type can exist at a time: to change one, delete it and create it again. The url must contain ':id', replaced by the document id when the webhook fires.")
            .Accepts<CreateWebhookRequest>("application/json")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        group.MapGet("", ListWebhooks)
            .WithName("ListWebhooks")
            .WithSummary("Lists the client's webhooks.");

        group.MapGet("{id:guid}", GetWebhook)
            .WithName("GetWebhook")
            .WithSummary("Reads one of the client's webhooks.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapDelete("{id:guid}", DeleteWebhook)
            .WithName("DeleteWebhook")
            .WithSummary("Deletes one of the client's webhooks and cancels its pending deliveries.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPost("{id:guid}/enable", EnableWebhook)
            .WithName("EnableWebhook")
            .WithSummary("Makes a disabled webhook active again; its held deliveries go out at once.")
            .WithDescription("A webhook whose attempts have all failed for Delivery:DisableAfter is disabled: nothing is sent, and new events create deliveries held as pending. Enabling it resets its failure window and circuit breaker.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPut("{id:guid}/limits", SetWebhookLimits)
            .WithName("SetWebhookLimits")
            .WithSummary("Sets the webhook's own limits: requests in flight at once, and requests started per second.")
            .WithDescription("Both limits are replaced: a field left out, or null, removes that limit. maxInFlight (1-64) caps the requests the receiver gets at once, maxPerSecond (1-1000) the requests started in any one second, across all nodes. Deliveries over a limit wait; they are neither failed nor moved towards failed.")
            .Accepts<SetWebhookLimitsRequest>("application/json")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        group.MapPost("{id:guid}/test", SendTestEvent)
            .WithName("SendTestEvent")
            .WithSummary("Sends a test event to the webhook: a real, signed delivery announced as webhook.test, attempted at once.")
            .WithDescription(
                "The delivery goes like any other (the webhook's method, url, headers, token flow and signature; retried; listed with its " +
                "attempts), with a documentId of its own starting with test-, \"event\": \"webhook.test\" and \"data\": null. Like a manual " +
                "retry it is attempted at once, even while the circuit breaker holds the webhook (it is the probe). 409 while the webhook is disabled.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        group.MapGet("{id:guid}/secret", GetSigningSecret)
            .WithName("GetSigningSecret")
            .WithSummary("Reads what verifies webhook-signature: the signing secret, or under ed25519 the public key.")
            .WithDescription("Under hmac-sha256 (the default) key is the shared secret (whsec_...) and publicKey is null. Under ed25519 key is null, since the private key never leaves the service, and publicKey is the public key (whpk_...).")
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPost("{id:guid}/secret/rotate", RotateSigningSecret)
            .WithName("RotateSigningSecret")
            .WithSummary("Replaces the signing key, in the webhook's scheme; the old one keeps signing beside the new one for 24 hours.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPut("{id:guid}/signing", SetSigningScheme)
            .WithName("SetSigningScheme")
            .WithSummary("Chooses how deliveries are signed: ed25519 (v1a, verified with a public key) or hmac-sha256 (v1, a shared secret).")
            .WithDescription("A change of scheme is a rotation: for 24 hours the old key keeps signing beside the new one (space-separated signatures). Setting the scheme the webhook already has changes nothing. The private key never leaves the service.")
            .Accepts<SetSigningSchemeRequest>("application/json")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        group.MapGet("{id:guid}/public_keys", GetSigningPublicKeys)
            .WithName("GetSigningPublicKeys")
            .WithSummary("Lists, as a JWKS, the Ed25519 public keys that sign the webhook's deliveries right now.")
            .WithDescription("Every key that currently signs: the current one and, for 24 hours after a rotation or a change of scheme, the one it replaced. Empty under hmac-sha256. Each key's kid is its RFC 7638 thumbprint.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        return app;
    }

    private static async Task<Results<Ok<SigningSecretResponse>, ProblemHttpResult>> GetSigningSecret(
        Guid id, ClaimsPrincipal user, ISender sender, CancellationToken cancellationToken) =>
        (await sender.Send(new GetSigningSecretQuery(user.ClientId(), new WebhookId(id)), cancellationToken)).ToOkOrProblem();

    private static async Task<Results<Ok<SigningSecretResponse>, ProblemHttpResult>> RotateSigningSecret(
        Guid id, ClaimsPrincipal user, ISender sender, CancellationToken cancellationToken) =>
        (await sender.Send(new RotateSigningSecretCommand(user.ClientId(), new WebhookId(id)), cancellationToken)).ToOkOrProblem();

    private static async Task<Results<Ok<SigningSchemeResponse>, ProblemHttpResult>> SetSigningScheme(
        Guid id, SetSigningSchemeRequest request, ClaimsPrincipal user, ISender sender, CancellationToken cancellationToken) =>
        (await sender.Send(SetSigningSchemeCommand.From(user.ClientId(), new WebhookId(id), request), cancellationToken)).ToOkOrProblem();

    private static async Task<Results<Ok<JsonWebKeySet>, ProblemHttpResult>> GetSigningPublicKeys(
        Guid id, ClaimsPrincipal user, ISender sender, CancellationToken cancellationToken) =>
        (await sender.Send(new GetSigningPublicKeysQuery(user.ClientId(), new WebhookId(id)), cancellationToken)).ToOkOrProblem();

    private static async Task<Results<Ok<WebhookResponse>, ProblemHttpResult>> CreateWebhook(
        CreateWebhookRequest request, ClaimsPrincipal user, ISender sender, CancellationToken cancellationToken) =>
        (await sender.Send(CreateWebhookCommand.From(user.ClientId(), request), cancellationToken)).ToOkOrProblem();

    private static async Task<Ok<IReadOnlyList<WebhookResponse>>> ListWebhooks(
        ClaimsPrincipal user, ISender sender, CancellationToken cancellationToken) =>
        TypedResults.Ok(await sender.Send(new ListWebhooksQuery(user.ClientId()), cancellationToken));

    private static async Task<Results<Ok<WebhookResponse>, ProblemHttpResult>> GetWebhook(
        Guid id, ClaimsPrincipal user, ISender sender, CancellationToken cancellationToken) =>
        (await sender.Send(new GetWebhookQuery(user.ClientId(), new WebhookId(id)), cancellationToken)).ToOkOrProblem();

    private static async Task<Results<Ok<WebhookResponse>, ProblemHttpResult>> EnableWebhook(
        Guid id, ClaimsPrincipal user, ISender sender, CancellationToken cancellationToken) =>
        (await sender.Send(new EnableWebhookCommand(user.ClientId(), new WebhookId(id)), cancellationToken)).ToOkOrProblem();

    private static async Task<Results<Ok<WebhookResponse>, ProblemHttpResult>> SetWebhookLimits(
        Guid id, SetWebhookLimitsRequest request, ClaimsPrincipal user, ISender sender, CancellationToken cancellationToken) =>
        (await sender.Send(SetWebhookLimitsCommand.From(user.ClientId(), new WebhookId(id), request), cancellationToken)).ToOkOrProblem();

    private static async Task<Results<Accepted<TestEventAccepted>, ProblemHttpResult>> SendTestEvent(
        Guid id, ClaimsPrincipal user, ISender sender, CancellationToken cancellationToken)
    {
        var result = await sender.Send(new SendTestEventCommand(user.ClientId(), new WebhookId(id)), cancellationToken);
        return result.IsSuccess
            ? TypedResults.Accepted($"{Route}/{id}/deliveries/{result.Value.DeliveryId}", result.Value)
            : result.Error.ToProblem();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteWebhook(
        Guid id, ClaimsPrincipal user, ISender sender, CancellationToken cancellationToken) =>
        (await sender.Send(new DeleteWebhookCommand(user.ClientId(), new WebhookId(id)), cancellationToken)).ToNoContentOrProblem();
}
