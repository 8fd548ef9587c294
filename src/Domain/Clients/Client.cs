using CleanWebhooks.Domain.Common;

namespace CleanWebhooks.Domain.Clients;

/// <summary>An integrator of the platform. Owns webhooks and API keys.</summary>
public sealed class Client
{
    public const int NameMaxLength = 200;

    private Client(ClientId id, string name, DateTimeOffset createdAt)
    {
        Id = id;
        Name = name;
        CreatedAt = createdAt;
    }

    public ClientId Id { get; }

    public string Name { get; }

    public DateTimeOffset CreatedAt { get; }

    public static Result<Client> Create(ClientId id, string? name, DateTimeOffset now)
    {
        if (!DisplayText.IsValidName(name, NameMaxLength))
        {
            return ClientErrors.InvalidName;
        }

        return new Client(id, name!.Trim(), now);
    }

    /// <summary>Rebuilds a client that was valid when stored.</summary>
    public static Client Restore(ClientId id, string name, DateTimeOffset createdAt) => new(id, name, createdAt);
}

/// <summary>The expected failures about clients and their keys.</summary>
public static class ClientErrors
{
    public static readonly Error NotFound = Error.NotFound("client.not_found", "The client does not exist.", "O cliente não existe.");

    public static readonly Error ApiKeyNotFound = Error.NotFound("api_key.not_found", "The API key does not exist.", "A chave de API não existe.");

    public static readonly Error InvalidName = Error.Validation(
        "client.invalid_name",
        $"The name must have 1 to {Client.NameMaxLength} characters, without control characters.",
        $"O nome deve ter de 1 a {Client.NameMaxLength} caracteres, sem caracteres de controle.",
        "name");
}
