using System.Data.Common;
using CleanWebhooks.Application.Common.Abstractions;
using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Webhooks;
using Dapper;

namespace CleanWebhooks.Infrastructure.Persistence.Webhooks;

/// <summary>Stores webhooks with their secrets encrypted; a redacted copy of the fixed authorization is kept for reads.</summary>
public sealed class WebhookRepository(Database database, ISecretProtector protector) : IWebhookRepository
{
    private const string InsertColumns = WebhookRow.Columns;

    private const string InsertValues =
        "@Id, @ClientId, @Name, @Type, @Method, @Headers, @HeaderAuth, @Url, @AuthorizationCipher, @AuthorizationRedacted, " +
        "@AuthorizationUrl, @AuthorizationMethod, @AuthorizationHeaders, @AuthorizationBodyCipher, " +
        "@AuthorizationResponseTokenAttr, @SigningSecretCipher, @PreviousSigningSecretCipher, " +
        "@PreviousSigningSecretExpiresAt, @CreatedAt, @UpdatedAt, @DeletedAt";

    private static class Portable
    {
        public const string Insert = $"INSERT INTO webhooks ({InsertColumns}) VALUES ({InsertValues});";

        public const string Get = $"SELECT {WebhookRow.Columns} FROM webhooks WHERE id = @Id AND client_id = @ClientId AND deleted_at IS NULL;";

        public const string GetActiveIdOfType =
            "SELECT id FROM webhooks WHERE client_id = @ClientId AND type = @Type AND deleted_at IS NULL;";

        public const string Delete =
            "UPDATE webhooks SET deleted_at = @DeletedAt, updated_at = @DeletedAt WHERE id = @Id AND client_id = @ClientId AND deleted_at IS NULL;";

        public const string CancelPendingDeliveries =
            "UPDATE deliveries SET status = 'cancelled', next_attempt_at = NULL, locked_by = NULL, lease_until = NULL WHERE webhook_id = @Id AND status = 'pending';";

        public const string UpdateSecrets =
            "UPDATE webhooks SET signing_secret_cipher = @SigningSecretCipher, previous_signing_secret_cipher = @PreviousSigningSecretCipher, " +
            "previous_signing_secret_expires_at = @PreviousSigningSecretExpiresAt, updated_at = @UpdatedAt WHERE id = @Id AND updated_at = @ReadUpdatedAt AND deleted_at IS NULL;";
    }

    public async Task<bool> AddAsync(Webhook webhook, CancellationToken cancellationToken)
    {
        await using var writer = await database.OpenWriterAsync(cancellationToken);
        var connection = writer.Connection;
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(
                database.Sql(Portable.Insert), ToRow(webhook), cancellationToken: cancellationToken));
            return true;
        }
        catch (DbException e) when (Database.IsUniqueViolation(e))
        {
            return false;
        }
    }

    public async Task<Webhook?> GetAsync(ClientId clientId, WebhookId id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<WebhookRow>(new CommandDefinition(
            database.Sql(Portable.Get), new { Id = id.Value, ClientId = clientId.Value }, cancellationToken: cancellationToken));
        return row is null ? null : ToEntity(row);
    }

    public async Task<WebhookId?> GetActiveIdOfTypeAsync(ClientId clientId, WebhookType type, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var id = await connection.QuerySingleOrDefaultAsync<Guid?>(new CommandDefinition(
            database.Sql(Portable.GetActiveIdOfType),
            new { ClientId = clientId.Value, Type = (int)type },
            cancellationToken: cancellationToken));
        return id is { } value ? new WebhookId(value) : null;
    }

    public async Task<bool> DeleteAsync(ClientId clientId, WebhookId id, DateTimeOffset deletedAt, CancellationToken cancellationToken)
    {
        await using var writer = await database.OpenWriterAsync(cancellationToken);
        var connection = writer.Connection;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var parameters = new { Id = id.Value, ClientId = clientId.Value, DeletedAt = deletedAt };
        if (await connection.ExecuteAsync(new CommandDefinition(
            database.Sql(Portable.Delete), parameters, transaction, cancellationToken: cancellationToken)) == 0)
        {
            return false;
        }

        await connection.ExecuteAsync(new CommandDefinition(
            database.Sql(Portable.CancelPendingDeliveries), parameters, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task<bool> UpdateSecretsAsync(Webhook webhook, DateTimeOffset readUpdatedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(webhook);
        var row = ToRow(webhook);
        await using var writer = await database.OpenWriterAsync(cancellationToken);
        return await writer.Connection.ExecuteAsync(new CommandDefinition(
            database.Sql(Portable.UpdateSecrets),
            new
            {
                row.Id,
                row.SigningSecretCipher,
                row.PreviousSigningSecretCipher,
                row.PreviousSigningSecretExpiresAt,
                row.UpdatedAt,
                ReadUpdatedAt = readUpdatedAt,
            },
            cancellationToken: cancellationToken)) == 1;
    }

    private WebhookRow ToRow(Webhook w) => new()
    {
        Id = w.Id.Value,
        ClientId = w.ClientId.Value,
        Name = w.Name,
        Type = (int)w.Type,
        Method = w.Method,
        Headers = WebhookRow.WriteHeaders(w.Headers),
        HeaderAuth = w.HeaderAuth,
        Url = w.Url,
        AuthorizationCipher = Protect(w.Authorization),
        AuthorizationRedacted = w.RedactedAuthorization,
        AuthorizationUrl = w.AuthorizationUrl,
        AuthorizationMethod = w.AuthorizationMethod,
        AuthorizationHeaders = w.AuthorizationHeaders is null ? null : WebhookRow.WriteHeaders(w.AuthorizationHeaders),
        AuthorizationBodyCipher = Protect(w.AuthorizationBody),
        AuthorizationResponseTokenAttr = w.AuthorizationResponseTokenAttr,
        SigningSecretCipher = protector.Protect(w.SigningSecret),
        PreviousSigningSecretCipher = Protect(w.PreviousSigningSecret),
        PreviousSigningSecretExpiresAt = w.PreviousSigningSecretExpiresAt,
        CreatedAt = w.CreatedAt,
        UpdatedAt = w.UpdatedAt,
        DeletedAt = w.DeletedAt,
    };

    internal Webhook ToEntity(WebhookRow r) => Webhook.Restore(new Webhook.Snapshot(
        new WebhookId(r.Id), new ClientId(r.ClientId), r.Name, (WebhookType)r.Type, r.Method, WebhookRow.ReadHeaders(r.Headers),
        r.HeaderAuth, r.Url, Unprotect(r.AuthorizationCipher), r.AuthorizationUrl, r.AuthorizationMethod,
        r.AuthorizationHeaders is null ? null : WebhookRow.ReadHeaders(r.AuthorizationHeaders), Unprotect(r.AuthorizationBodyCipher),
        r.AuthorizationResponseTokenAttr, protector.Unprotect(r.SigningSecretCipher), Unprotect(r.PreviousSigningSecretCipher),
        r.PreviousSigningSecretExpiresAt, r.CreatedAt, r.UpdatedAt, r.DeletedAt));

    private string? Protect(string? value) => value is null ? null : protector.Protect(value);

    private string? Unprotect(string? value) => value is null ? null : protector.Unprotect(value);
}
