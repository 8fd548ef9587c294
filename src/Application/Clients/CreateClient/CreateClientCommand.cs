using CleanWebhooks.Application.Common.Localization;
using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Common;
using FluentValidation;
using Mediator;

namespace CleanWebhooks.Application.Clients.CreateClient;

/// <summary>The body of <c>POST /internal/clients</c>.</summary>
public sealed record CreateClientRequest(string? Name);

public sealed record CreateClientCommand(string? Name) : ICommand<Result<CreateClientResponse>>;

/// <summary>The new client and its first API key — the only time the plain key is shown.</summary>
public sealed record CreateClientResponse(Guid Id, string Name, string ApiKey, Guid ApiKeyId, DateTimeOffset CreatedAt);

public sealed class CreateClientCommandValidator : AbstractValidator<CreateClientCommand>
{
    public CreateClientCommandValidator() =>
        RuleFor(c => c.Name).NotEmpty()
            .Must(n => DisplayText.IsValidName(n, Client.NameMaxLength)).When(c => !string.IsNullOrWhiteSpace(c.Name), ApplyConditionTo.CurrentValidator)
            .WithMessage(_ => Text.Of(ClientErrors.InvalidName));
}

public sealed class CreateClientCommandHandler(IClientRepository clients, KnownApiKeys known, TimeProvider clock)
    : ICommandHandler<CreateClientCommand, Result<CreateClientResponse>>
{
    public async ValueTask<Result<CreateClientResponse>> Handle(CreateClientCommand command, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().TruncatedToMicroseconds();
        var created = Client.Create(ClientId.New(), command.Name, now);
        if (!created.IsSuccess)
        {
            return created.Error;
        }

        var client = created.Value;
        var (key, plainKey) = ApiKey.Issue(client.Id, now);
        await clients.AddAsync(client, key, cancellationToken);
        known.Add(key.Hash);
        return new CreateClientResponse(client.Id.Value, client.Name, plainKey, key.Id.Value, client.CreatedAt);
    }
}
