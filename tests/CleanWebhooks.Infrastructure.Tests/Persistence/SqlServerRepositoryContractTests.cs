namespace CleanWebhooks.Infrastructure.Tests.Persistence;

/// <summary>
/// The repository contract on SQL Server, when <c>CLEANWEBHOOKS_TEST_SQLSERVER</c> holds a connection string; skipped,
/// with that reason, otherwise. Each test overrides the contract's only to carry <see cref="SqlServerFactAttribute"/>
/// (xunit reads the attribute of the override); <see cref="ContractCoverageTests"/> checks that none is forgotten.
/// </summary>
public sealed class SqlServerRepositoryContractTests(SqlServerContractDatabase database)
    : RepositoryContract(database), IClassFixture<SqlServerContractDatabase>
{
    [SqlServerFact]
    public override Task ClientAdd_ThenGetById_ReturnsTheClient() => base.ClientAdd_ThenGetById_ReturnsTheClient();

    [SqlServerFact]
    public override Task ClientGetById_UnknownId_ReturnsNull() => base.ClientGetById_UnknownId_ReturnsNull();

    [SqlServerFact]
    public override Task GetClientWebhookOfType_UnknownClient_ReturnsNull() => base.GetClientWebhookOfType_UnknownClient_ReturnsNull();

    [SqlServerFact]
    public override Task GetClientWebhookOfType_ClientWithoutAWebhook_ReturnsNoWebhook() => base.GetClientWebhookOfType_ClientWithoutAWebhook_ReturnsNoWebhook();

    [SqlServerFact]
    public override Task GetClientWebhookOfType_ActiveWebhook_ReturnsItsVersionHealthAndLimits() =>
        base.GetClientWebhookOfType_ActiveWebhook_ReturnsItsVersionHealthAndLimits();

    [SqlServerFact]
    public override Task GetClientWebhookOfType_WebhookDeleted_ReturnsTheClientWithoutIt() => base.GetClientWebhookOfType_WebhookDeleted_ReturnsTheClientWithoutIt();

    [SqlServerFact]
    public override Task PortalLinkRedeem_SecondUseOrAfterTheSessionsEnded_IsRefused() => base.PortalLinkRedeem_SecondUseOrAfterTheSessionsEnded_IsRefused();

    [SqlServerFact]
    public override Task PortalSessions_UnknownClient_HaveNoGenerationAndCannotEnd() => base.PortalSessions_UnknownClient_HaveNoGenerationAndCannotEnd();

    [SqlServerFact]
    public override Task PortalLinkRedeem_LinksThatExpired_AreForgottenWhenTheNextIsUsed() => base.PortalLinkRedeem_LinksThatExpired_AreForgottenWhenTheNextIsUsed();

    [SqlServerFact]
    public override Task ApiKeyRevoke_ActiveKey_EndsThePortalSessionsOpenedBefore() => base.ApiKeyRevoke_ActiveKey_EndsThePortalSessionsOpenedBefore();

    [SqlServerFact]
    public override Task ApiKeyFindActiveByHash_IssuedKeys_FindsEachWithItsClient() => base.ApiKeyFindActiveByHash_IssuedKeys_FindsEachWithItsClient();

    [SqlServerFact]
    public override Task ApiKeyFindActiveByHash_UnknownKey_ReturnsNull() => base.ApiKeyFindActiveByHash_UnknownKey_ReturnsNull();

    [SqlServerFact]
    public override Task ApiKeyRevoke_ActiveKey_StopsFindingOnlyThatKey() => base.ApiKeyRevoke_ActiveKey_StopsFindingOnlyThatKey();

    [SqlServerFact]
    public override Task ApiKeyRevoke_Twice_IsFalseTheSecondTime() => base.ApiKeyRevoke_Twice_IsFalseTheSecondTime();

    [SqlServerFact]
    public override Task ApiKeyRevoke_ByAnotherClient_IsFalseAndKeepsTheKey() => base.ApiKeyRevoke_ByAnotherClient_IsFalseAndKeepsTheKey();

    [SqlServerFact]
    public override Task ApiKeyAdd_SameHashTwice_IsRefusedByTheDatabase() => base.ApiKeyAdd_SameHashTwice_IsRefusedByTheDatabase();

    [SqlServerFact]
    public override Task ClientEnsure_Twice_CreatesTheClientAndKeyOnce() => base.ClientEnsure_Twice_CreatesTheClientAndKeyOnce();

    [SqlServerFact]
    public override Task WebhookAdd_ThenGet_RoundTripsEveryField() => base.WebhookAdd_ThenGet_RoundTripsEveryField();

    [SqlServerFact]
    public override Task WebhookAdd_FixedAuthorization_RoundTripsDecrypted() => base.WebhookAdd_FixedAuthorization_RoundTripsDecrypted();

    [SqlServerFact]
    public override Task WebhookAdd_SecondActiveOfSameType_ReturnsFalse() => base.WebhookAdd_SecondActiveOfSameType_ReturnsFalse();

    [SqlServerFact]
    public override Task WebhookAdd_SameTypeForAnotherClient_IsAccepted() => base.WebhookAdd_SameTypeForAnotherClient_IsAccepted();

    [SqlServerFact]
    public override Task WebhookGetForDelivery_ManyCallersPastTheCacheBound_EachFindsItsWebhook() =>
        base.WebhookGetForDelivery_ManyCallersPastTheCacheBound_EachFindsItsWebhook();

    [SqlServerFact]
    public override Task WebhookActiveIdOfType_BeforeAndAfterAdd_IsNullThenTheId() => base.WebhookActiveIdOfType_BeforeAndAfterAdd_IsNullThenTheId();

    [SqlServerFact]
    public override Task WebhookQueriesGet_TwoClientsInTurnThenADelete_EachReadSeesItsOwnRowAsItIsNow() =>
        base.WebhookQueriesGet_TwoClientsInTurnThenADelete_EachReadSeesItsOwnRowAsItIsNow();

    [SqlServerFact]
    public override Task WebhookDelete_Always_HidesItAndFreesTheType() => base.WebhookDelete_Always_HidesItAndFreesTheType();

    [SqlServerFact]
    public override Task WebhookDelete_WithDeliveries_CancelsOnlyThePendingOnes() => base.WebhookDelete_WithDeliveries_CancelsOnlyThePendingOnes();

    [SqlServerFact]
    public override Task WebhookDelete_MoreThanOneCancelBatchPending_CancelsThemAll() => base.WebhookDelete_MoreThanOneCancelBatchPending_CancelsThemAll();

    [SqlServerFact]
    public override Task WebhookGet_ByAnotherClient_ReturnsNull() => base.WebhookGet_ByAnotherClient_ReturnsNull();

    [SqlServerFact]
    public override Task WebhookAdd_Secrets_AreEncryptedAtRest() => base.WebhookAdd_Secrets_AreEncryptedAtRest();

    [SqlServerFact]
    public override Task WebhookUpdateSecrets_AfterRotation_RoundTripsBothSecretsEncrypted() => base.WebhookUpdateSecrets_AfterRotation_RoundTripsBothSecretsEncrypted();

    [SqlServerFact]
    public override Task WebhookUpdateSecrets_ChangeToEd25519_StoresThePublicKeysInTheClearAndThePrivateKeyEncrypted() =>
        base.WebhookUpdateSecrets_ChangeToEd25519_StoresThePublicKeysInTheClearAndThePrivateKeyEncrypted();

    [SqlServerFact]
    public override Task ApiKeysListActiveHashes_AllOrCreatedSince_LeavesRevokedAndOlderKeysOut() =>
        base.ApiKeysListActiveHashes_AllOrCreatedSince_LeavesRevokedAndOlderKeysOut();

    [SqlServerFact]
    public override Task Timestamps_Always_RoundTripToTheMicrosecondInUtc() => base.Timestamps_Always_RoundTripToTheMicrosecondInUtc();

    [SqlServerFact]
    public override Task QueriesGetAndList_Always_ShowTheRedactedAuthorizationAndNoSecret() => base.QueriesGetAndList_Always_ShowTheRedactedAuthorizationAndNoSecret();

    [SqlServerFact]
    public override Task WebhookDelete_AnotherClientsOrAlreadyDeleted_ReturnsFalse() => base.WebhookDelete_AnotherClientsOrAlreadyDeleted_ReturnsFalse();

    [SqlServerFact]
    public override Task WebhookUpdateSecrets_ChangedSinceRead_WritesNothingAndReturnsFalse() => base.WebhookUpdateSecrets_ChangedSinceRead_WritesNothingAndReturnsFalse();

    [SqlServerFact]
    public override Task DeliveryCountAttemptsByHour_RecentAttempts_CountsEachWebhooksPerUtcHour() =>
        base.DeliveryCountAttemptsByHour_RecentAttempts_CountsEachWebhooksPerUtcHour();
}
