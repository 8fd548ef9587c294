using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Common;
using CleanWebhooks.Domain.Webhooks;
using Mediator;

namespace CleanWebhooks.Application.Webhooks.DeleteWebhook;

public sealed record DeleteWebhookCommand(ClientId ClientId, WebhookId WebhookId) : ICommand<Result>;

public sealed class DeleteWebhookCommandHandler(IWebhookRepository webhooks, TimeProvider clock)
    : ICommandHandler<DeleteWebhookCommand, Result>
{
    public async ValueTask<Result> Handle(DeleteWebhookCommand command, CancellationToken cancellationToken)
    {
        var deleted = await webhooks.DeleteAsync(
            command.ClientId, command.WebhookId, clock.GetUtcNow().TruncatedToMicroseconds(), cancellationToken);
        return deleted ? Result.Success() : WebhookErrors.NotFound;
    }
}
