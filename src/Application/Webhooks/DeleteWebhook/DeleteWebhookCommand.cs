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
        var webhook = await webhooks.GetAsync(command.ClientId, command.WebhookId, cancellationToken);
        if (webhook is null)
        {
            return WebhookErrors.NotFound;
        }

        webhook.Delete(clock.GetUtcNow().TruncatedToMicroseconds());
        await webhooks.DeleteAsync(webhook, cancellationToken);
        return Result.Success();
    }
}
