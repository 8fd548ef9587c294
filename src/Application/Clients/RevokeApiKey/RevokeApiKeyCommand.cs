using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Common;
using Mediator;

namespace CleanWebhooks.Application.Clients.RevokeApiKey;

public sealed record RevokeApiKeyCommand(ClientId ClientId, ApiKeyId ApiKeyId) : ICommand<Result>;

public sealed class RevokeApiKeyCommandHandler(IClientRepository clients, ApiKeyCache cache, TimeProvider clock)
    : ICommandHandler<RevokeApiKeyCommand, Result>
{
    public async ValueTask<Result> Handle(RevokeApiKeyCommand command, CancellationToken cancellationToken)
    {
        if (!await clients.RevokeApiKeyAsync(command.ClientId, command.ApiKeyId, clock.GetUtcNow().TruncatedToMicroseconds(), cancellationToken))
        {
            return ClientErrors.ApiKeyNotFound;
        }

        // After the commit and before the answer: from the 204 on, this node looks every key up again.
        cache.ForgetAll();
        return Result.Success();
    }
}
