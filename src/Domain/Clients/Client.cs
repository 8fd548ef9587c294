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
        var trimmed = name?.Trim();
        if (string.IsNullOrEmpty(trimmed) || trimmed.Length > NameMaxLength)
        {
            return ClientErrors.InvalidName;
        }

        return new Client(id, trimmed, now);
    }

    /// <summary>Rebuilds a client that was valid when stored.</summary>
    public static Client Restore(ClientId id, string name, DateTimeOffset createdAt) => new(id, name, createdAt);
}

/// <summary>The expected failures about clients and their keys.</summary>
public static class ClientErrors
{
    public static readonly Error NotFound = Error.NotFound("client.not_found", "The client does not exist.");

    public static readonly Error ApiKeyNotFound = Error.NotFound("api_key.not_found", "The API key does not exist.");

    public static readonly Error InvalidName = Error.Validation(
        "client.invalid_name", $"The name must have 1 to {Client.NameMaxLength} characters.", "name");
}
