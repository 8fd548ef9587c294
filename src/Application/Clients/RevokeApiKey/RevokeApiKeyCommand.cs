using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Common;
using Mediator;

namespace CleanWebhooks.Application.Clients.RevokeApiKey;

public sealed record RevokeApiKeyCommand(ClientId ClientId, ApiKeyId ApiKeyId) : ICommand<Result>;

public sealed class RevokeApiKeyCommandHandler(IClientRepository clients, TimeProvider clock)
    : ICommandHandler<RevokeApiKeyCommand, Result>
{
    public async ValueTask<Result> Handle(RevokeApiKeyCommand command, CancellationToken cancellationToken) =>
        await clients.RevokeApiKeyAsync(command.ClientId, command.ApiKeyId, clock.GetUtcNow().TruncatedToMicroseconds(), cancellationToken)
            ? Result.Success()
            : ClientErrors.ApiKeyNotFound;
}
