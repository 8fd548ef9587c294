using System.Text.Json;
using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Common;
using CleanWebhooks.Domain.Webhooks;
using Mediator;

namespace CleanWebhooks.Application.Webhooks.CreateWebhook;

public sealed record CreateWebhookCommand(
    ClientId ClientId,
    string? Name,
    int? Type,
    string? Method,
    Dictionary<string, string>? Headers,
    string? HeaderAuth,
    string? Url,
    string? Authorization,
    string? AuthorizationUrl,
    string? AuthorizationMethod,
    Dictionary<string, string>? AuthorizationHeaders,
    JsonElement? AuthorizationBody,
    string? AuthorizationResponseTokenAttr) : ICommand<Result<WebhookResponse>>
{
    public static CreateWebhookCommand From(ClientId clientId, CreateWebhookRequest r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new(clientId, r.Name, r.Type, r.Method, r.Headers, r.HeaderAuth, r.Url, r.Authorization, r.AuthorizationUrl,
            r.AuthorizationMethod, r.AuthorizationHeaders, r.AuthorizationBody, r.AuthorizationResponseTokenAttr);
    }
}

public sealed class CreateWebhookCommandHandler(IWebhookRepository webhooks, TimeProvider clock)
    : ICommandHandler<CreateWebhookCommand, Result<WebhookResponse>>
{
    public async ValueTask<Result<WebhookResponse>> Handle(CreateWebhookCommand command, CancellationToken cancellationToken)
    {
        var definition = new WebhookDefinition(
            command.Name!, command.Type!.Value, command.Method!, command.Headers, command.HeaderAuth, command.Url!,
            command.Authorization, command.AuthorizationUrl, command.AuthorizationMethod, command.AuthorizationHeaders,
            AuthorizationBodyText(command.AuthorizationBody), command.AuthorizationResponseTokenAttr);

        var now = clock.GetUtcNow().TruncatedToMicroseconds();
        var created = Webhook.Create(command.ClientId, definition, now);
        if (!created.IsSuccess)
        {
            return created.Error;
        }

        if (await webhooks.GetClientWebhookOfTypeAsync(command.ClientId, created.Value.Type, cancellationToken) is { Webhook: not null })
        {
            return WebhookErrors.DuplicateType;
        }

        // The unique index decides races that the check above cannot see.
        return await webhooks.AddAsync(created.Value, cancellationToken)
            ? created.Value.ToResponse(now)
            : WebhookErrors.DuplicateType;
    }

    private static string? AuthorizationBodyText(JsonElement? body) =>
        body is { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined } b ? b.GetRawText() : null;
}
