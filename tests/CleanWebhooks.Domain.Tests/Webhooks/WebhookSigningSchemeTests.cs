using CleanWebhooks.Domain.Webhooks;
using static CleanWebhooks.Domain.Tests.Webhooks.Definitions;

namespace CleanWebhooks.Domain.Tests.Webhooks;

/// <summary>Contract section 12: the signing scheme, its keys, and a change of scheme as a rotation.</summary>
public class WebhookSigningSchemeTests
{
    [Fact]
    public void Create_Always_SignsWithHmacSha256()
    {
        var webhook = CreateValid(Minimal());

        Assert.Equal(SigningScheme.HmacSha256, webhook.SigningScheme);
        Assert.StartsWith(SigningSecret.Prefix, webhook.SigningSecret, StringComparison.Ordinal);
    }

    [Fact]
    public void ChangeSigningScheme_ToEd25519_MakesAPrivateKeyAndKeepsTheOldSecretSigningForADay()
    {
        var webhook = CreateValid(Minimal());
        var hmac = webhook.SigningSecret;
        var changedAt = Now.AddHours(1);

        Assert.True(webhook.ChangeSigningScheme(SigningScheme.Ed25519, changedAt));

        Assert.Equal(SigningScheme.Ed25519, webhook.SigningScheme);
        Assert.StartsWith(SigningSecret.PrivateKeyPrefix, webhook.SigningSecret, StringComparison.Ordinal);
        Assert.Equal(32, SigningSecret.KeyBytes(webhook.SigningSecret).Length);
        Assert.Equal(changedAt, webhook.UpdatedAt);
        Assert.Equal([webhook.SigningSecret, hmac], webhook.SigningSecretsAt(changedAt + SigningSecret.RotationOverlap - TimeSpan.FromTicks(1)));
        Assert.Equal([webhook.SigningSecret], webhook.SigningSecretsAt(changedAt + SigningSecret.RotationOverlap));
    }

    [Fact]
    public void ChangeSigningScheme_ToTheSchemeItHas_ChangesNothing()
    {
        var webhook = CreateValid(Minimal());
        webhook.ChangeSigningScheme(SigningScheme.Ed25519, Now.AddHours(1));
        var (key, previous, updatedAt) = (webhook.SigningSecret, webhook.PreviousSigningSecret, webhook.UpdatedAt);

        Assert.False(webhook.ChangeSigningScheme(SigningScheme.Ed25519, Now.AddHours(2)));

        Assert.Equal((key, previous, updatedAt), (webhook.SigningSecret, webhook.PreviousSigningSecret, webhook.UpdatedAt));
    }

    [Fact]
    public void RotateSecret_UnderEd25519_MakesAnotherEd25519Key()
    {
        var webhook = CreateValid(Minimal());
        webhook.ChangeSigningScheme(SigningScheme.Ed25519, Now);
        var first = webhook.SigningSecret;

        webhook.RotateSecret(Now.AddMinutes(1));

        Assert.Equal(SigningScheme.Ed25519, webhook.SigningScheme);
        Assert.NotEqual(first, webhook.SigningSecret);
        Assert.Equal(first, webhook.PreviousSigningSecret);
    }

    [Theory]
    [InlineData("ed25519", SigningScheme.Ed25519)]
    [InlineData("hmac-sha256", SigningScheme.HmacSha256)]
    public void TryParse_TheApiName_IsTheSchemeAndWritesBackTheSame(string text, SigningScheme expected)
    {
        Assert.True(SigningSchemes.TryParse(text, out var scheme));
        Assert.Equal(expected, scheme);
        Assert.Equal(text, scheme.ToText());
    }

    [Theory]
    [InlineData("Ed25519")]
    [InlineData("HMAC-SHA256")]
    [InlineData("rsa")]
    [InlineData("")]
    [InlineData(null)]
    public void TryParse_AnythingElse_IsRefused(string? text) => Assert.False(SigningSchemes.TryParse(text, out _));
}
