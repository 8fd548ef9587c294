using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Common;
using Mediator;

namespace CleanWebhooks.Application.Clients.IssueApiKey;

public sealed record IssueApiKeyCommand(ClientId ClientId) : ICommand<Result<ApiKeyResponse>>;

/// <summary>A newly issued key — the only time the plain key is shown.</summary>
public sealed record ApiKeyResponse(Guid ApiKeyId, string ApiKey, DateTimeOffset CreatedAt);

public sealed class IssueApiKeyCommandHandler(IClientRepository clients, KnownApiKeys known, TimeProvider clock)
    : ICommandHandler<IssueApiKeyCommand, Result<ApiKeyResponse>>
{
    public async ValueTask<Result<ApiKeyResponse>> Handle(IssueApiKeyCommand command, CancellationToken cancellationToken)
    {
        if (await clients.GetByIdAsync(command.ClientId, cancellationToken) is null)
        {
            return ClientErrors.NotFound;
        }

        var (key, plainKey) = ApiKey.Issue(command.ClientId, clock.GetUtcNow().TruncatedToMicroseconds());
        await clients.AddApiKeyAsync(key, cancellationToken);
        known.Add(key.Hash);
        return new ApiKeyResponse(key.Id.Value, plainKey, key.CreatedAt);
    }
}
