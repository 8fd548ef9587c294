using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Common;
using CleanWebhooks.Domain.Webhooks;
using CleanWebhooks.Infrastructure.Persistence;
using CleanWebhooks.Application.Deliveries;
using CleanWebhooks.Infrastructure.Persistence.Clients;
using CleanWebhooks.Infrastructure.Persistence.Deliveries;
using CleanWebhooks.Infrastructure.Persistence.Portal;
using CleanWebhooks.Infrastructure.Persistence.Webhooks;
using CleanWebhooks.Application.Common.Abstractions;
using CleanWebhooks.Infrastructure.Security;
using Dapper;

namespace CleanWebhooks.Infrastructure.Tests.Persistence;

/// <summary>
/// What every database behind <see cref="ClientRepository"/> and <see cref="WebhookRepository"/> must do. Each
/// subclass runs these tests against one real database. Tests share the database, so each works on its own clients.
/// </summary>
public abstract class RepositoryContract(ContractDatabase db)
{
    private const string FixedAuthorization = "Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJI.secret-token-value";
    private const string TokenBody = """{"username": "root", "password": "s3cr3t-passw0rd"}""";

    /// <summary>A time with microseconds, in a non-UTC offset, as the application makes them.</summary>
    private static readonly DateTimeOffset Now = new DateTimeOffset(2024, 4, 11, 14, 12, 33, TimeSpan.FromHours(-3)).AddTicks(7_411_940);

    protected Database Database => db.Database;

    private ClientRepository Clients => new(db.Database);

    private WebhookRepository Webhooks => new(db.Database, db.Protector);

    private WebhookQueries Queries => new(db.Database, TimeProvider.System);

    private PortalSessionStore PortalSessions => new(db.Database);

    // --- clients and API keys ---

    [Fact]
    public virtual async Task ClientAdd_ThenGetById_ReturnsTheClient()
    {
        var (client, _, _) = await NewClientAsync("Acme OCR");

        var read = await Clients.GetByIdAsync(client.Id, default);

        Assert.NotNull(read);
        Assert.Equal(client.Id, read.Id);
        Assert.Equal("Acme OCR", read.Name);
        Assert.Equal(client.CreatedAt, read.CreatedAt);
    }

    [Fact]
    public virtual async Task ClientGetById_UnknownId_ReturnsNull()
    {
        Assert.Null(await Clients.GetByIdAsync(ClientId.New(), default));
    }

    [Fact]
    public virtual async Task ApiKeyFindActiveByHash_IssuedKeys_FindsEachWithItsClient()
    {
        var (client, firstKey, firstPlain) = await NewClientAsync();
        var (secondKey, secondPlain) = ApiKey.Issue(client.Id, Now);
        await Clients.AddApiKeyAsync(secondKey, default);

        var first = await Clients.FindActiveKeyByHashAsync(ApiKey.HashOf(firstPlain), default);
        var second = await Clients.FindActiveKeyByHashAsync(ApiKey.HashOf(secondPlain), default);

        Assert.Equal(firstKey.Id, first?.Id);
        Assert.Equal(client.Id, first?.ClientId);
        Assert.True(first?.Matches(firstPlain));
        Assert.Equal(secondKey.Id, second?.Id);
        Assert.Equal(client.Id, second?.ClientId);
    }

    [Fact]
    public virtual async Task ApiKeyFindActiveByHash_UnknownKey_ReturnsNull()
    {
        Assert.Null(await Clients.FindActiveKeyByHashAsync(ApiKey.HashOf("cwk_never-issued"), default));
    }

    [Fact]
    public virtual async Task ApiKeyRevoke_ActiveKey_StopsFindingOnlyThatKey()
    {
        var (client, key, plain) = await NewClientAsync();
        var (otherKey, otherPlain) = ApiKey.Issue(client.Id, Now);
        await Clients.AddApiKeyAsync(otherKey, default);

        var revoked = await Clients.RevokeApiKeyAsync(client.Id, key.Id, Now.AddMinutes(1), default);

        Assert.True(revoked);
        Assert.Null(await Clients.FindActiveKeyByHashAsync(ApiKey.HashOf(plain), default));
        Assert.Equal(otherKey.Id, (await Clients.FindActiveKeyByHashAsync(ApiKey.HashOf(otherPlain), default))?.Id);
    }

    [Fact]
    public virtual async Task ApiKeyRevoke_Twice_IsFalseTheSecondTime()
    {
        var (client, key, _) = await NewClientAsync();

        Assert.True(await Clients.RevokeApiKeyAsync(client.Id, key.Id, Now, default));
        Assert.False(await Clients.RevokeApiKeyAsync(client.Id, key.Id, Now, default));
    }

    [Fact]
    public virtual async Task ApiKeyRevoke_ByAnotherClient_IsFalseAndKeepsTheKey()
    {
        var (_, key, plain) = await NewClientAsync();
        var (other, _, _) = await NewClientAsync();

        Assert.False(await Clients.RevokeApiKeyAsync(other.Id, key.Id, Now, default));
        Assert.False(await Clients.RevokeApiKeyAsync(other.Id, ApiKeyId.New(), Now, default));
        Assert.NotNull(await Clients.FindActiveKeyByHashAsync(ApiKey.HashOf(plain), default));
    }

    [Fact]
    public virtual async Task ApiKeyAdd_SameHashTwice_IsRefusedByTheDatabase()
    {
        var (client, _, plain) = await NewClientAsync();

        var sameKey = ApiKey.FromPlain(ApiKeyId.New(), client.Id, plain, Now);

        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => Clients.AddApiKeyAsync(sameKey, default));
    }

    [Fact]
    public virtual async Task ClientEnsure_Twice_CreatesTheClientAndKeyOnce()
    {
        var client = Client.Restore(ClientId.New(), "Demo client", Now);
        var plain = "demo-" + Guid.NewGuid().ToString("N");
        var key = ApiKey.FromPlain(ApiKeyId.New(), client.Id, plain, Now);

        await Clients.EnsureAsync(client, key, default);
        await Clients.EnsureAsync(client, key, default);

        Assert.Equal("Demo client", (await Clients.GetByIdAsync(client.Id, default))?.Name);
        Assert.Equal(key.Id, (await Clients.FindActiveKeyByHashAsync(ApiKey.HashOf(plain), default))?.Id);
        Assert.Equal(1, await ScalarAsync<int>("SELECT COUNT(*) FROM api_keys WHERE client_id = @Id;", client.Id.Value));
    }

    // --- portal sessions ---

    [Fact]
    public virtual async Task PortalLinkRedeem_SecondUseOrAfterTheSessionsEnded_IsRefused()
    {
        var (client, _, _) = await NewClientAsync();
        var generation = Assert.IsType<int>(await PortalSessions.GetGenerationAsync(client.Id, default));
        var first = Link(client.Id, generation);

        Assert.True(await PortalSessions.RedeemAsync(first, Now, default));
        Assert.False(await PortalSessions.RedeemAsync(first, Now, default));
        Assert.False(await new PortalSessionStore(db.Database).RedeemAsync(first, Now.AddSeconds(1), default));

        var openedBefore = Link(client.Id, generation);
        Assert.True(await PortalSessions.EndSessionsAsync(client.Id, default));
        Assert.Equal(generation + 1, await PortalSessions.GetGenerationAsync(client.Id, default));
        Assert.False(await PortalSessions.RedeemAsync(openedBefore, Now, default));
        Assert.True(await PortalSessions.RedeemAsync(Link(client.Id, generation + 1), Now, default));
    }

    [Fact]
    public virtual async Task PortalSessions_UnknownClient_HaveNoGenerationAndCannotEnd()
    {
        Assert.Null(await PortalSessions.GetGenerationAsync(ClientId.New(), default));
        Assert.False(await PortalSessions.EndSessionsAsync(ClientId.New(), default));
        Assert.False(await PortalSessions.RedeemAsync(Link(ClientId.New(), 0), Now, default));
    }

    [Fact]
    public virtual async Task PortalLinkRedeem_LinksThatExpired_AreForgottenWhenTheNextIsUsed()
    {
        var (client, _, _) = await NewClientAsync();
        var (other, _, _) = await NewClientAsync();
        await PortalSessions.RedeemAsync(Link(client.Id, 0) with { ExpiresAt = Now.AddMinutes(1) }, Now, default);
        await PortalSessions.RedeemAsync(Link(client.Id, 0) with { ExpiresAt = Now.AddHours(1) }, Now, default);
        await PortalSessions.RedeemAsync(Link(other.Id, 0) with { ExpiresAt = Now.AddMinutes(1) }, Now, default);

        await PortalSessions.RedeemAsync(Link(client.Id, 0), Now.AddMinutes(2), default);

        Assert.Equal(2, await CountLinksAsync(client.Id));
        Assert.Equal(1, await CountLinksAsync(other.Id));
    }

    [Fact]
    public virtual async Task ApiKeyRevoke_ActiveKey_EndsThePortalSessionsOpenedBefore()
    {
        var (client, key, _) = await NewClientAsync();
        var before = Link(client.Id, (await PortalSessions.GetGenerationAsync(client.Id, default))!.Value);

        Assert.True(await Clients.RevokeApiKeyAsync(client.Id, key.Id, Now, default));

        Assert.False(await PortalSessions.RedeemAsync(before, Now, default));
        Assert.Equal(before.Generation + 1, await PortalSessions.GetGenerationAsync(client.Id, default));
        Assert.False(await Clients.RevokeApiKeyAsync(client.Id, key.Id, Now, default));
        Assert.Equal(before.Generation + 1, await PortalSessions.GetGenerationAsync(client.Id, default));
    }

    private static PortalSession Link(ClientId clientId, int generation) => new(clientId, Now.AddHours(1), Guid.NewGuid(), generation);

    private async Task<int> CountLinksAsync(ClientId clientId)
    {
        await using var connection = await db.Database.OpenAsync(default);
        return await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            db.Database.Sql("SELECT COUNT(*) FROM portal_links WHERE client_id = @Id;"), new { Id = clientId.Value }));
    }

    // --- webhooks ---

    [Fact]
    public virtual async Task WebhookAdd_ThenGet_RoundTripsEveryField()
    {
        var (client, _, _) = await NewClientAsync();
        var webhook = NewWebhook(client.Id, TokenFlow());

        Assert.True(await Webhooks.AddAsync(webhook, default));
        var read = await Webhooks.GetAsync(client.Id, webhook.Id, default);

        Assert.NotNull(read);
        Assert.Equal(webhook.Id, read.Id);
        Assert.Equal(client.Id, read.ClientId);
        Assert.Equal("Webhook 1", read.Name);
        Assert.Equal(WebhookType.DocumentFinished, read.Type);
        Assert.Equal("PUT", read.Method);
        Assert.Equal(new Dictionary<string, string> { ["Content-Type"] = "application/json", ["X-Tenant"] = "acme 1" }, read.Headers);
        Assert.Equal("Bearer", read.HeaderAuth);
        Assert.Equal("http://localhost:5000/ocr_feedback/:id", read.Url);
        Assert.Null(read.Authorization);
        Assert.Equal("http://localhost:5000/login", read.AuthorizationUrl);
        Assert.Equal("POST", read.AuthorizationMethod);
        Assert.Equal(new Dictionary<string, string> { ["Content-Type"] = "application/x-www-form-urlencoded" }, read.AuthorizationHeaders);
        Assert.Equal(TokenBody, read.AuthorizationBody);
        Assert.Equal("data.access_token", read.AuthorizationResponseTokenAttr);
        Assert.Equal(webhook.SigningSecret, read.SigningSecret);
        Assert.Null(read.PreviousSigningSecret);
        Assert.Null(read.PreviousSigningSecretExpiresAt);
        Assert.Null(read.DeletedAt);
    }

    [Fact]
    public virtual async Task WebhookAdd_FixedAuthorization_RoundTripsDecrypted()
    {
        var (client, _, _) = await NewClientAsync();
        var webhook = NewWebhook(client.Id, FixedAuth());

        await Webhooks.AddAsync(webhook, default);
        var read = await Webhooks.GetAsync(client.Id, webhook.Id, default);

        Assert.Equal(webhook.Id, (await Webhooks.GetClientWebhookOfTypeAsync(client.Id, WebhookType.DocumentFinished, default))?.Webhook?.Id);
        Assert.Equal(webhook.Id, read?.Id);
        Assert.Equal(FixedAuthorization, read?.Authorization);
        Assert.Equal("Bearer ****", read?.RedactedAuthorization);
        Assert.Null(read?.AuthorizationUrl);
        Assert.Empty(read!.Headers);
    }

    [Fact]
    public virtual async Task GetClientWebhookOfType_UnknownClient_ReturnsNull()
    {
        var (other, _, _) = await NewClientAsync();
        await Webhooks.AddAsync(NewWebhook(other.Id, FixedAuth()), default);

        Assert.Null(await Webhooks.GetClientWebhookOfTypeAsync(new ClientId(Guid.NewGuid()), WebhookType.DocumentFinished, default));
    }

    [Fact]
    public virtual async Task GetClientWebhookOfType_ClientWithoutAWebhook_ReturnsNoWebhook()
    {
        var (client, _, _) = await NewClientAsync();
        var (other, _, _) = await NewClientAsync();
        await Webhooks.AddAsync(NewWebhook(other.Id, FixedAuth()), default);

        var found = await Webhooks.GetClientWebhookOfTypeAsync(client.Id, WebhookType.DocumentFinished, default);

        Assert.NotNull(found);
        Assert.Null(found.Webhook);
    }

    [Fact]
    public virtual async Task GetClientWebhookOfType_ActiveWebhook_ReturnsItsVersionHealthAndLimits()
    {
        var (client, _, _) = await NewClientAsync();
        var webhook = NewWebhook(client.Id, FixedAuth());
        await Webhooks.AddAsync(webhook, default);
        var limits = WebhookLimits.Create(7, 30).Value;
        Assert.True(await Webhooks.SetLimitsAsync(client.Id, webhook.Id, limits, webhook.UpdatedAt.AddSeconds(1), default));

        var found = (await Webhooks.GetClientWebhookOfTypeAsync(client.Id, WebhookType.DocumentFinished, default))?.Webhook;

        Assert.Equal(webhook.Id, found?.Id);
        Assert.Equal(webhook.UpdatedAt.AddSeconds(1), found?.UpdatedAt);
        Assert.Equal(webhook.Health, found?.Health);
        Assert.Equal(limits, found?.Limits);
    }

    [Fact]
    public virtual async Task GetClientWebhookOfType_WebhookDeleted_ReturnsTheClientWithoutIt()
    {
        var (client, _, _) = await NewClientAsync();
        var webhook = NewWebhook(client.Id, FixedAuth());
        await Webhooks.AddAsync(webhook, default);

        Assert.True(await Webhooks.DeleteAsync(client.Id, webhook.Id, webhook.UpdatedAt.AddSeconds(1), default));
        var found = await Webhooks.GetClientWebhookOfTypeAsync(client.Id, WebhookType.DocumentFinished, default);

        Assert.NotNull(found);
        Assert.Null(found.Webhook);
    }

    [Fact]
    public virtual async Task WebhookAdd_SecondActiveOfSameType_ReturnsFalse()
    {
        var (client, _, _) = await NewClientAsync();
        var first = NewWebhook(client.Id, FixedAuth());
        var second = NewWebhook(client.Id, TokenFlow());

        Assert.True(await Webhooks.AddAsync(first, default));
        Assert.False(await Webhooks.AddAsync(second, default));

        Assert.Null(await Webhooks.GetAsync(client.Id, second.Id, default));
        Assert.Equal(first.Id, (await Webhooks.GetClientWebhookOfTypeAsync(client.Id, WebhookType.DocumentFinished, default))?.Webhook?.Id);
    }

    [Fact]
    public virtual async Task WebhookAdd_SameTypeForAnotherClient_IsAccepted()
    {
        var (client, _, _) = await NewClientAsync();
        var (other, _, _) = await NewClientAsync();

        Assert.True(await Webhooks.AddAsync(NewWebhook(client.Id, FixedAuth()), default));
        Assert.True(await Webhooks.AddAsync(NewWebhook(other.Id, FixedAuth()), default));
    }

    /// <summary>
    /// Senders look webhooks up all at once (each hand-off on its own), and past the cache's bound every miss drops the
    /// least recently used: no lookup may fail or miss its webhook while others drop entries. It failed about one
    /// lookup in a hundred when the drop sorted the live dictionary.
    /// </summary>
    [Fact]
    public virtual async Task WebhookGetForDelivery_ManyCallersPastTheCacheBound_EachFindsItsWebhook()
    {
        var webhooks = new List<Webhook>();
        for (var i = 0; i < 160; i++)
        {
            var (client, _, _) = await NewClientAsync();
            var webhook = NewWebhook(client.Id, FixedAuth());
            Assert.True(await Webhooks.AddAsync(webhook, default));
            webhooks.Add(webhook);
        }

        var repository = new WebhookRepository(db.Database, db.Protector) { MaxCached = 64 };
        var versions = webhooks.Select(w => new WebhookVersion(w.Id, w.UpdatedAt, WebhookHealth.Healthy, WebhookLimits.None)).ToList();

        var lookups = await Task.WhenAll(Enumerable.Range(0, 16).Select(worker => Task.Run(async () =>
        {
            var missed = new List<WebhookId>();
            for (var i = 0; i < 500; i++)
            {
                // A claim's few webhooks, or a hand-off's one.
                WebhookVersion[] wanted = [.. Enumerable.Range(0, 1 + (i % 8)).Select(k => versions[((worker * 7) + (i * 13) + (k * 29)) % versions.Count])];
                var found = await repository.GetForDeliveryAsync(wanted, default);
                missed.AddRange(wanted.Where(v => found.GetValueOrDefault(v.Id)?.Webhook?.Id != v.Id).Select(v => v.Id));
            }

            return missed;
        })));

        Assert.Empty(lookups.SelectMany(m => m));
    }

    [Fact]
    public virtual async Task WebhookActiveIdOfType_BeforeAndAfterAdd_IsNullThenTheId()
    {
        var (client, _, _) = await NewClientAsync();

        Assert.Null((await Webhooks.GetClientWebhookOfTypeAsync(client.Id, WebhookType.DocumentFinished, default))?.Webhook?.Id);
        var webhook = NewWebhook(client.Id, FixedAuth());
        await Webhooks.AddAsync(webhook, default);
        Assert.Equal(webhook.Id, (await Webhooks.GetClientWebhookOfTypeAsync(client.Id, WebhookType.DocumentFinished, default))?.Webhook?.Id);
    }

    [Fact]
    public virtual async Task WebhookQueriesGet_TwoClientsInTurnThenADelete_EachReadSeesItsOwnRowAsItIsNow()
    {
        // On SQLite the statement stays compiled on kept connections: each read must bind its own values and see the latest commit.
        var (a, _, _) = await NewClientAsync();
        var (b, _, _) = await NewClientAsync();
        var ofA = NewWebhook(a.Id, FixedAuth());
        var ofB = NewWebhook(b.Id, TokenFlow());
        await Webhooks.AddAsync(ofA, default);
        await Webhooks.AddAsync(ofB, default);

        for (var round = 0; round < 3; round++)
        {
            Assert.Equal(ofA.Id.Value, (await Queries.GetAsync(a.Id, ofA.Id, default))?.Id);
            Assert.Equal(ofB.Id.Value, (await Queries.GetAsync(b.Id, ofB.Id, default))?.Id);
            Assert.Null(await Queries.GetAsync(a.Id, ofB.Id, default));
            Assert.Null(await Queries.GetAsync(b.Id, ofA.Id, default));
        }

        Assert.True(await Webhooks.DeleteAsync(a.Id, ofA.Id, Now.AddMinutes(5), default));
        Assert.Null(await Queries.GetAsync(a.Id, ofA.Id, default));
        Assert.Equal(ofB.Id.Value, (await Queries.GetAsync(b.Id, ofB.Id, default))?.Id);
    }

    [Fact]
    public virtual async Task WebhookDelete_Always_HidesItAndFreesTheType()
    {
        var (client, _, _) = await NewClientAsync();
        var webhook = NewWebhook(client.Id, FixedAuth());
        await Webhooks.AddAsync(webhook, default);

        Assert.True(await Webhooks.DeleteAsync(client.Id, webhook.Id, Now.AddMinutes(5), default));

        Assert.Null(await Webhooks.GetAsync(client.Id, webhook.Id, default));
        Assert.Null((await Webhooks.GetClientWebhookOfTypeAsync(client.Id, WebhookType.DocumentFinished, default))?.Webhook?.Id);
        Assert.Null((await Webhooks.GetClientWebhookOfTypeAsync(client.Id, WebhookType.DocumentFinished, default))?.Webhook?.Id);
        Assert.Null(await Queries.GetAsync(client.Id, webhook.Id, default));
        Assert.Empty(await Queries.ListAsync(client.Id, default));
        var replacement = NewWebhook(client.Id, TokenFlow());
        Assert.True(await Webhooks.AddAsync(replacement, default));
        Assert.Equal(replacement.Id, (await Webhooks.GetClientWebhookOfTypeAsync(client.Id, WebhookType.DocumentFinished, default))?.Webhook?.Id);
        // The deleted row stays, for its delivery history.
        Assert.Equal(2, await ScalarAsync<int>("SELECT COUNT(*) FROM webhooks WHERE client_id = @Id;", client.Id.Value));
    }

    [Fact]
    public virtual async Task WebhookDelete_WithDeliveries_CancelsOnlyThePendingOnes()
    {
        var (client, _, _) = await NewClientAsync();
        var webhook = NewWebhook(client.Id, FixedAuth());
        await Webhooks.AddAsync(webhook, default);
        var pending = await AddDeliveryAsync(client.Id, webhook.Id, "pending");
        var succeeded = await AddDeliveryAsync(client.Id, webhook.Id, "succeeded");

        Assert.True(await Webhooks.DeleteAsync(client.Id, webhook.Id, Now.AddMinutes(5), default));

        Assert.Equal("cancelled", await ScalarAsync<string>("SELECT status FROM deliveries WHERE id = @Id;", pending));
        Assert.Null(await ScalarAsync<string?>("SELECT next_attempt_at FROM deliveries WHERE id = @Id;", pending));
        Assert.Equal("succeeded", await ScalarAsync<string>("SELECT status FROM deliveries WHERE id = @Id;", succeeded));
    }

    [Fact]
    public virtual async Task WebhookDelete_MoreThanOneCancelBatchPending_CancelsThemAll()
    {
        var (client, _, _) = await NewClientAsync();
        var webhook = NewWebhook(client.Id, FixedAuth());
        await Webhooks.AddAsync(webhook, default);
        var count = (2 * WebhookRepository.CancelBatch) + 1;
        await AddPendingDeliveriesAsync(client.Id, webhook.Id, count);

        Assert.True(await Webhooks.DeleteAsync(client.Id, webhook.Id, Now.AddMinutes(5), default));

        Assert.Equal(count, await ScalarAsync<int>("SELECT COUNT(*) FROM deliveries WHERE webhook_id = @Id AND status = 'cancelled';", webhook.Id.Value));
        Assert.Equal(0, await ScalarAsync<int>("SELECT COUNT(*) FROM deliveries WHERE webhook_id = @Id AND status = 'pending';", webhook.Id.Value));
    }

    [Fact]
    public virtual async Task WebhookDelete_AnotherClientsOrAlreadyDeleted_ReturnsFalse()
    {
        var (owner, _, _) = await NewClientAsync();
        var (other, _, _) = await NewClientAsync();
        var webhook = NewWebhook(owner.Id, FixedAuth());
        await Webhooks.AddAsync(webhook, default);

        Assert.False(await Webhooks.DeleteAsync(other.Id, webhook.Id, Now.AddMinutes(5), default));
        Assert.True(await Webhooks.DeleteAsync(owner.Id, webhook.Id, Now.AddMinutes(5), default));
        Assert.False(await Webhooks.DeleteAsync(owner.Id, webhook.Id, Now.AddMinutes(6), default));
    }

    [Fact]
    public virtual async Task WebhookUpdateSecrets_ChangedSinceRead_WritesNothingAndReturnsFalse()
    {
        var (client, _, _) = await NewClientAsync();
        var webhook = NewWebhook(client.Id, FixedAuth());
        await Webhooks.AddAsync(webhook, default);
        var first = await Webhooks.GetAsync(client.Id, webhook.Id, default);
        var second = await Webhooks.GetAsync(client.Id, webhook.Id, default);

        first!.RotateSecret(Now.AddHours(1));
        Assert.True(await Webhooks.UpdateSecretsAsync(first, Now, default));
        second!.RotateSecret(Now.AddHours(2));

        Assert.False(await Webhooks.UpdateSecretsAsync(second, Now, default));
        Assert.Equal(first.SigningSecret, (await Webhooks.GetAsync(client.Id, webhook.Id, default))?.SigningSecret);
    }

    [Fact]
    public virtual async Task WebhookGet_ByAnotherClient_ReturnsNull()
    {
        var (owner, _, _) = await NewClientAsync();
        var (other, _, _) = await NewClientAsync();
        var webhook = NewWebhook(owner.Id, FixedAuth());
        await Webhooks.AddAsync(webhook, default);

        Assert.Null(await Webhooks.GetAsync(other.Id, webhook.Id, default));
        Assert.Null(await Queries.GetAsync(other.Id, webhook.Id, default));
        Assert.Empty(await Queries.ListAsync(other.Id, default));
    }

    [Fact]
    public virtual async Task WebhookAdd_Secrets_AreEncryptedAtRest()
    {
        var (client, _, _) = await NewClientAsync();
        var fixedAuth = NewWebhook(client.Id, FixedAuth());
        var (other, _, _) = await NewClientAsync();
        var tokenFlow = NewWebhook(other.Id, TokenFlow());
        await Webhooks.AddAsync(fixedAuth, default);
        await Webhooks.AddAsync(tokenFlow, default);

        var fixedRow = await RawRowAsync(fixedAuth.Id);
        var tokenRow = await RawRowAsync(tokenFlow.Id);

        Assert.NotNull(fixedRow.AuthorizationCipher);
        Assert.DoesNotContain("secret-token-value", fixedRow.AuthorizationCipher, StringComparison.Ordinal);
        Assert.Equal("Bearer ****", fixedRow.AuthorizationRedacted);
        Assert.NotNull(tokenRow.AuthorizationBodyCipher);
        Assert.DoesNotContain("s3cr3t-passw0rd", tokenRow.AuthorizationBodyCipher, StringComparison.Ordinal);
        Assert.DoesNotContain("password", tokenRow.AuthorizationBodyCipher, StringComparison.Ordinal);
        foreach (var (row, webhook) in new[] { (fixedRow, fixedAuth), (tokenRow, tokenFlow) })
        {
            Assert.DoesNotContain(webhook.SigningSecret[SigningSecret.Prefix.Length..], row.SigningSecretCipher, StringComparison.Ordinal);
            Assert.DoesNotContain(SigningSecret.Prefix, row.SigningSecretCipher, StringComparison.Ordinal);
            Assert.Equal(webhook.SigningSecret, db.Protector.Unprotect(row.SigningSecretCipher));
        }

        // Nothing secret anywhere in the stored rows, whatever the column.
        var everything = await ScalarAsync<string>(
            "SELECT " + ConcatAll() + " FROM webhooks WHERE id = @Id;", fixedAuth.Id.Value);
        Assert.DoesNotContain("secret-token-value", everything, StringComparison.Ordinal);
    }

    [Fact]
    public virtual async Task WebhookUpdateSecrets_AfterRotation_RoundTripsBothSecretsEncrypted()
    {
        var (client, _, _) = await NewClientAsync();
        var webhook = NewWebhook(client.Id, FixedAuth());
        await Webhooks.AddAsync(webhook, default);
        var rotatedAt = Now.AddHours(2);

        var readUpdatedAt = webhook.UpdatedAt;
        webhook.RotateSecret(rotatedAt);
        Assert.True(await Webhooks.UpdateSecretsAsync(webhook, readUpdatedAt, default));
        var read = await Webhooks.GetAsync(client.Id, webhook.Id, default);

        Assert.Equal(webhook.SigningSecret, read?.SigningSecret);
        Assert.Equal(webhook.PreviousSigningSecret, read?.PreviousSigningSecret);
        Assert.Equal(rotatedAt + SigningSecret.RotationOverlap, read?.PreviousSigningSecretExpiresAt);
        Assert.Equal(rotatedAt, read?.UpdatedAt);
        Assert.Equal(Now, read?.CreatedAt);
        var previousCipher = await ScalarAsync<string>("SELECT previous_signing_secret_cipher FROM webhooks WHERE id = @Id;", webhook.Id.Value);
        Assert.DoesNotContain(webhook.PreviousSigningSecret![SigningSecret.Prefix.Length..], previousCipher, StringComparison.Ordinal);
    }

    [Fact]
    public virtual async Task WebhookUpdateSecrets_ChangeToEd25519_StoresThePublicKeysInTheClearAndThePrivateKeyEncrypted()
    {
        var (client, _, _) = await NewClientAsync();
        var webhook = NewWebhook(client.Id, FixedAuth());
        await Webhooks.AddAsync(webhook, default);
        var readUpdatedAt = webhook.UpdatedAt;
        webhook.ChangeSigningScheme(SigningScheme.Ed25519, Now.AddHours(1));
        Assert.True(await Webhooks.UpdateSecretsAsync(webhook, readUpdatedAt, default));
        readUpdatedAt = webhook.UpdatedAt;
        webhook.RotateSecret(Now.AddHours(2));
        Assert.True(await Webhooks.UpdateSecretsAsync(webhook, readUpdatedAt, default));

        var read = await Webhooks.GetAsync(client.Id, webhook.Id, default);
        var keys = await Queries.GetSigningPublicKeysAsync(client.Id, webhook.Id, default);

        Assert.Equal(webhook.SigningSecret, read?.SigningSecret);
        Assert.Equal(SigningScheme.Ed25519, read?.SigningScheme);
        Assert.Equal(Ed25519Keys.PublicKey(webhook.SigningSecret), keys?.Current);
        Assert.Equal(Ed25519Keys.PublicKey(webhook.PreviousSigningSecret!), keys?.Previous);
        Assert.StartsWith(SigningSecret.PublicKeyPrefix, keys?.Current, StringComparison.Ordinal);
        AssertSameInstantInUtc(Now.AddHours(2) + SigningSecret.RotationOverlap, keys!.PreviousExpiresAt!.Value);
        var cipher = await ScalarAsync<string>("SELECT signing_secret_cipher FROM webhooks WHERE id = @Id;", webhook.Id.Value);
        Assert.DoesNotContain(SigningSecret.PrivateKeyPrefix, cipher, StringComparison.Ordinal);
        Assert.DoesNotContain(webhook.SigningSecret[SigningSecret.PrivateKeyPrefix.Length..], cipher, StringComparison.Ordinal);
        Assert.Null(await Queries.GetSigningPublicKeysAsync(client.Id, WebhookId.New(), default));
    }

    [Fact]
    public virtual async Task ApiKeysListActiveHashes_AllOrCreatedSince_LeavesRevokedAndOlderKeysOut()
    {
        var (client, first, _) = await NewClientAsync();
        var (later, _) = ApiKey.Issue(client.Id, Now.AddHours(1));
        var (revoked, _) = ApiKey.Issue(client.Id, Now.AddHours(2));
        await Clients.AddApiKeyAsync(later, default);
        await Clients.AddApiKeyAsync(revoked, default);
        Assert.True(await Clients.RevokeApiKeyAsync(client.Id, revoked.Id, Now.AddHours(3), default));

        var all = await Clients.ListActiveKeyHashesAsync(null, default);
        var since = await Clients.ListActiveKeyHashesAsync(Now.AddMinutes(30), default);

        Assert.Contains(all, h => h.SequenceEqual(first.Hash));
        Assert.Contains(all, h => h.SequenceEqual(later.Hash));
        Assert.DoesNotContain(all, h => h.SequenceEqual(revoked.Hash));
        Assert.Contains(since, h => h.SequenceEqual(later.Hash));
        Assert.DoesNotContain(since, h => h.SequenceEqual(first.Hash));
        Assert.DoesNotContain(since, h => h.SequenceEqual(revoked.Hash));
    }

    [Fact]
    public virtual async Task Timestamps_Always_RoundTripToTheMicrosecondInUtc()
    {
        var (client, key, plain) = await NewClientAsync();
        var webhook = NewWebhook(client.Id, FixedAuth());
        await Webhooks.AddAsync(webhook, default);
        var readUpdatedAt = webhook.UpdatedAt;
        webhook.RotateSecret(Now.AddTicks(10));
        Assert.True(await Webhooks.UpdateSecretsAsync(webhook, readUpdatedAt, default));

        var readClient = await Clients.GetByIdAsync(client.Id, default);
        var readKey = await Clients.FindActiveKeyByHashAsync(ApiKey.HashOf(plain), default);
        var readWebhook = await Webhooks.GetAsync(client.Id, webhook.Id, default);
        var readResponse = await Queries.GetAsync(client.Id, webhook.Id, default);

        AssertSameInstantInUtc(Now, readClient!.CreatedAt);
        AssertSameInstantInUtc(key.CreatedAt, readKey!.CreatedAt);
        AssertSameInstantInUtc(Now, readWebhook!.CreatedAt);
        AssertSameInstantInUtc(Now.AddTicks(10), readWebhook.UpdatedAt);
        AssertSameInstantInUtc(Now.AddTicks(10) + SigningSecret.RotationOverlap, readWebhook.PreviousSigningSecretExpiresAt!.Value);
        AssertSameInstantInUtc(Now, readResponse!.CreatedAt);
        AssertSameInstantInUtc(Now.AddTicks(10), readResponse.UpdatedAt);
    }

    [Fact]
    public virtual async Task QueriesGetAndList_Always_ShowTheRedactedAuthorizationAndNoSecret()
    {
        var (client, _, _) = await NewClientAsync();
        var webhook = NewWebhook(client.Id, FixedAuth());
        await Webhooks.AddAsync(webhook, default);

        var one = await Queries.GetAsync(client.Id, webhook.Id, default);
        var all = await Queries.ListAsync(client.Id, default);

        Assert.Equal("Bearer ****", one?.Authorization);
        var listed = Assert.Single(all);
        Assert.Equal(webhook.Id.Value, listed.Id);
        Assert.Equal("Bearer ****", listed.Authorization);
        Assert.Equal(one, listed with { Headers = one!.Headers, AuthorizationHeaders = one.AuthorizationHeaders });
    }

    protected static void AssertSameInstantInUtc(DateTimeOffset expected, DateTimeOffset actual)
    {
        Assert.Equal(0, expected.Ticks % 10);
        Assert.Equal(TimeSpan.Zero, actual.Offset);
        Assert.Equal(expected.UtcDateTime, actual.UtcDateTime);
    }

    // --- the portal's chart ---

    [Fact]
    public virtual async Task DeliveryCountAttemptsByHour_RecentAttempts_CountsEachWebhooksPerUtcHour()
    {
        var (client, _, _) = await NewClientAsync();
        var webhook = NewWebhook(client.Id, FixedAuth());
        await Webhooks.AddAsync(webhook, default);
        var (other, _, _) = await NewClientAsync();
        var othersWebhook = NewWebhook(other.Id, FixedAuth());
        await Webhooks.AddAsync(othersWebhook, default);
        var old = await AddDeliveryAsync(client.Id, webhook.Id, "succeeded");
        var recent = await AddDeliveryAsync(client.Id, webhook.Id, "pending");
        var others = await AddDeliveryAsync(other.Id, othersWebhook.Id, "failed");

        // Now is 17:12:33 UTC: one failure and one success in the 17:00 hour, a success and a timeout in the 18:00 one.
        await AddAttemptAsync(old, 1, Now.AddDays(-2), 500, null);
        await AddAttemptAsync(old, 2, Now.AddHours(-2), 200, null);
        await AddAttemptAsync(recent, 1, Now, 503, null);
        await AddAttemptAsync(recent, 2, Now.AddMinutes(10), 200, null);
        await AddAttemptAsync(recent, 3, Now.AddHours(1), 204, null);
        await AddAttemptAsync(recent, 4, Now.AddHours(1).AddMinutes(20), null, "timeout");
        await AddAttemptAsync(others, 1, Now, 500, null);

        var counts = await new DeliveryQueries(Database, TimeProvider.System).CountAttemptsByHourAsync(client.Id, Now.AddMinutes(-30), default);

        Assert.Equal(
            [
                new AttemptCount(webhook.Id.Value, new DateTimeOffset(2024, 4, 11, 17, 0, 0, TimeSpan.Zero), 1, 1),
                new AttemptCount(webhook.Id.Value, new DateTimeOffset(2024, 4, 11, 18, 0, 0, TimeSpan.Zero), 1, 1),
            ],
            counts.OrderBy(c => c.Hour));
    }

    protected async Task<(Client Client, ApiKey Key, string PlainKey)> NewClientAsync(string name = "Contract client")
    {
        var client = Client.Create(ClientId.New(), name, Now).Value;
        var (key, plain) = ApiKey.Issue(client.Id, Now);
        await Clients.AddAsync(client, key, default);
        return (client, key, plain);
    }

    protected async Task<T> ScalarAsync<T>(string sql, Guid id)
    {
        await using var connection = await Database.OpenAsync(default);
        return (await connection.ExecuteScalarAsync<T>(new CommandDefinition(sql, new { Id = id })))!;
    }

    private static Webhook NewWebhook(ClientId clientId, WebhookDefinition definition) =>
        Webhook.Create(clientId, definition, Now) is { IsSuccess: true } created ? created.Value : throw new InvalidOperationException("Invalid test webhook.");

    private static WebhookDefinition FixedAuth() => new(
        "Fixed", 0, "POST", null, null, "https://example.com/hooks/:id", FixedAuthorization, null, null, null, null, null);

    private static WebhookDefinition TokenFlow() => new(
        "Webhook 1", 0, "put", new Dictionary<string, string> { ["Content-Type"] = "application/json", ["X-Tenant"] = "acme 1" }, "Bearer",
        "http://localhost:5000/ocr_feedback/:id", null, "http://localhost:5000/login", null,
        new Dictionary<string, string> { ["Content-Type"] = "application/x-www-form-urlencoded" }, TokenBody, "data.access_token");

    private string ConcatAll()
    {
        string[] columns = [.. WebhookRow.Columns.Split(',').Select(c => c.Trim())];
        return Database.Dialect switch
        {
            SqlDialect.Sqlite => string.Join(" || '|' || ", columns.Select(c => $"COALESCE(CAST({c} AS TEXT), '')")),
            SqlDialect.SqlServer => "CONCAT_WS('|', " + string.Join(", ", columns.Select(c => $"CAST({c} AS NVARCHAR(MAX))")) + ")",
            _ => "CONCAT_WS('|', " + string.Join(", ", columns.Select(c => $"CAST({c} AS text)")) + ")",
        };
    }

    private async Task<RawSecrets> RawRowAsync(WebhookId id)
    {
        await using var connection = await Database.OpenAsync(default);
        return await connection.QuerySingleAsync<RawSecrets>(new CommandDefinition(
            "SELECT authorization_cipher, authorization_redacted, authorization_body_cipher, signing_secret_cipher FROM webhooks WHERE id = @Id;",
            new { Id = id.Value }));
    }

    private async Task<Guid> AddDeliveryAsync(ClientId clientId, WebhookId webhookId, string status)
    {
        var eventId = Guid.NewGuid();
        var deliveryId = Guid.NewGuid();
        await using var connection = await Database.OpenAsync(default);
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO events (id, client_id, document_id, type, data, occurred_at) VALUES (@EventId, @ClientId, 'doc-1', 0, NULL, @Now);" +
            "INSERT INTO deliveries (id, webhook_id, event_id, status, attempt_count, next_attempt_at, last_attempt_at, last_status_code, locked_by, lease_until, created_at) " +
            "VALUES (@DeliveryId, @WebhookId, @EventId, @Status, 0, @Now, NULL, NULL, NULL, NULL, @Now);",
            new { EventId = eventId, DeliveryId = deliveryId, ClientId = clientId.Value, WebhookId = webhookId.Value, Status = status, Now }));
        return deliveryId;
    }

    private async Task AddAttemptAsync(Guid deliveryId, int number, DateTimeOffset startedAt, int? statusCode, string? error)
    {
        await using var connection = await Database.OpenAsync(default);
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO delivery_attempts (delivery_id, number, started_at, duration_ms, status_code, error, response_excerpt) " +
            "VALUES (@DeliveryId, @Number, @StartedAt, 12, @StatusCode, @Error, NULL);" +
            "UPDATE deliveries SET attempt_count = @Number, last_attempt_at = @StartedAt WHERE id = @DeliveryId;",
            new { DeliveryId = deliveryId, Number = number, StartedAt = startedAt, StatusCode = statusCode, Error = error }));
    }

    private async Task AddPendingDeliveriesAsync(ClientId clientId, WebhookId webhookId, int count)
    {
        var eventId = Guid.NewGuid();
        await using var connection = await Database.OpenAsync(default);
        await using var transaction = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO events (id, client_id, document_id, type, data, occurred_at) VALUES (@EventId, @ClientId, 'doc-1', 0, NULL, @Now);",
            new { EventId = eventId, ClientId = clientId.Value, Now }, transaction));
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO deliveries (id, webhook_id, event_id, status, attempt_count, next_attempt_at, created_at) " +
            "VALUES (@DeliveryId, @WebhookId, @EventId, 'pending', 0, @Now, @Now);",
            Enumerable.Range(0, count).Select(_ => new { DeliveryId = Guid.NewGuid(), WebhookId = webhookId.Value, EventId = eventId, Now }).ToList(),
            transaction));
        await transaction.CommitAsync();
    }

    private sealed class RawSecrets
    {
        public string? AuthorizationCipher { get; init; }

        public string? AuthorizationRedacted { get; init; }

        public string? AuthorizationBodyCipher { get; init; }

        public string SigningSecretCipher { get; init; } = "";
    }
}
