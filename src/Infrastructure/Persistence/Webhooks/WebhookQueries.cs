using CleanWebhooks.Application.Common.Localization;
using CleanWebhooks.Application.Webhooks;
using CleanWebhooks.Application.Webhooks.GetSigningPublicKeys;
using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Webhooks;
using Dapper;

namespace CleanWebhooks.Infrastructure.Persistence.Webhooks;

/// <summary>The read side: webhooks straight into answers, with no secret decrypted.</summary>
public sealed class WebhookQueries(Database database, TimeProvider clock) : IWebhookQueries
{
    private const string Columns =
        "id, client_id, name, type, method, headers, header_auth, url, authorization_redacted, authorization_url, " +
        "authorization_method, authorization_headers, authorization_response_token_attr, created_at, updated_at, " + WebhookRow.HealthColumns + ", " +
        WebhookRow.LimitColumns;

    private static class Portable
    {
        public const string Get = $"SELECT {Columns} FROM webhooks WHERE id = @Id AND client_id = @ClientId AND deleted_at IS NULL;";

        public const string List = $"SELECT {Columns} FROM webhooks WHERE client_id = @ClientId AND deleted_at IS NULL ORDER BY type;";

        public const string GetPublicKeys =
            "SELECT signing_public_key, previous_signing_public_key, previous_signing_secret_expires_at " +
            "FROM webhooks WHERE id = @Id AND client_id = @ClientId AND deleted_at IS NULL;";
    }

    public async Task<WebhookResponse?> GetAsync(ClientId clientId, WebhookId id, CancellationToken cancellationToken)
    {
        // The integrator's hottest read: its statement stays compiled (Database.QueryFirstPreparedAsync). The id is the key.
        var row = await database.QueryFirstPreparedAsync<WebhookRow>(
            Portable.Get, [new("@Id", id.Value), new("@ClientId", clientId.Value)], cancellationToken);
        return row is null ? null : ToResponse(row);
    }

    public async Task<IReadOnlyList<WebhookResponse>> ListAsync(ClientId clientId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<WebhookRow>(new CommandDefinition(
            database.Sql(Portable.List), new { ClientId = clientId.Value }, cancellationToken: cancellationToken));
        return [.. rows.Select(ToResponse)];
    }

    public async Task<SigningPublicKeys?> GetSigningPublicKeysAsync(ClientId clientId, WebhookId id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<WebhookRow>(new CommandDefinition(
            database.Sql(Portable.GetPublicKeys), new { Id = id.Value, ClientId = clientId.Value }, cancellationToken: cancellationToken));
        return row is null ? null : new SigningPublicKeys(row.SigningPublicKey, row.PreviousSigningPublicKey, row.PreviousSigningSecretExpiresAt);
    }

    private WebhookResponse ToResponse(WebhookRow r)
    {
        var health = r.Health();
        return new(
        r.Id, r.ClientId, r.Name, r.Type, r.Method, WebhookRow.ReadHeaders(r.Headers), r.HeaderAuth, r.Url, r.AuthorizationRedacted,
        r.AuthorizationUrl, r.AuthorizationMethod, r.AuthorizationHeaders is null ? null : WebhookRow.ReadHeaders(r.AuthorizationHeaders),
        r.AuthorizationResponseTokenAttr, r.CreatedAt, r.UpdatedAt, health.Status.ToText(), health.DisabledAt, HealthTexts.Sentence(health.DisabledReason),
        health.PausedUntilAt(clock.GetUtcNow()), r.MaxInFlight, r.MaxPerSecond);
    }
}
