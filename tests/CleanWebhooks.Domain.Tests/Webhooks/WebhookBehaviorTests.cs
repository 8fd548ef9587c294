using CleanWebhooks.Domain.Webhooks;
using static CleanWebhooks.Domain.Tests.Webhooks.Definitions;

namespace CleanWebhooks.Domain.Tests.Webhooks;

public class WebhookBehaviorTests
{
    [Theory]
    [InlineData("http://localhost:5000/ocr_feedback/:id", "doc-123", "http://localhost:5000/ocr_feedback/doc-123")]
    [InlineData("http://localhost:5000/ocr_feedback/:id", "a b/c?d=e&f#g", "http://localhost:5000/ocr_feedback/a%20b%2Fc%3Fd%3De%26f%23g")]
    [InlineData("http://localhost:5000/ocr_feedback/:id", "../admin", "http://localhost:5000/ocr_feedback/..%2Fadmin")]
    [InlineData("http://localhost:5000/ocr_feedback/:id", "ação", "http://localhost:5000/ocr_feedback/a%C3%A7%C3%A3o")]
    [InlineData("https://example.com/:id/status?doc=:id", "42", "https://example.com/42/status?doc=42")]
    [InlineData("https://example.com/:identity/:id", "42", "https://example.com/:identity/42")]
    [InlineData("https://example.com/:id", "$0", "https://example.com/%240")]
    public void UrlFor_DocumentId_ReplacesEveryPlaceholderWithTheEscapedId(string url, string documentId, string expected)
    {
        var webhook = CreateValid(Minimal() with { Url = url });

        Assert.Equal(expected, webhook.UrlFor(documentId));
        Assert.Equal(url, webhook.Url);
    }

    [Fact]
    public void SigningSecretsAt_NeverRotated_IsTheCurrentSecretOnly()
    {
        var webhook = CreateValid(Minimal());

        Assert.Equal([webhook.SigningSecret], webhook.SigningSecretsAt(Now.AddYears(1)));
    }

    [Fact]
    public void RotateSecret_Always_MakesANewSecretAndKeepsTheOldOneForADay()
    {
        var webhook = CreateValid(Minimal());
        var old = webhook.SigningSecret;
        var rotatedAt = Now.AddHours(1);

        webhook.RotateSecret(rotatedAt);

        Assert.NotEqual(old, webhook.SigningSecret);
        Assert.StartsWith(SigningSecret.Prefix, webhook.SigningSecret, StringComparison.Ordinal);
        Assert.Equal(old, webhook.PreviousSigningSecret);
        Assert.Equal(rotatedAt + TimeSpan.FromHours(24), webhook.PreviousSigningSecretExpiresAt);
        Assert.Equal(rotatedAt, webhook.UpdatedAt);
        Assert.Equal(Now, webhook.CreatedAt);
    }

    [Fact]
    public void SigningSecretsAt_WithinTheOverlap_IsTheNewSecretThenTheOldOne()
    {
        var webhook = CreateValid(Minimal());
        var old = webhook.SigningSecret;
        webhook.RotateSecret(Now);

        Assert.Equal([webhook.SigningSecret, old], webhook.SigningSecretsAt(Now));
        Assert.Equal([webhook.SigningSecret, old], webhook.SigningSecretsAt(Now + SigningSecret.RotationOverlap - TimeSpan.FromTicks(10)));
    }

    [Fact]
    public void SigningSecretsAt_OnceTheOverlapEnds_IsTheNewSecretOnly()
    {
        var webhook = CreateValid(Minimal());
        webhook.RotateSecret(Now);

        Assert.Equal([webhook.SigningSecret], webhook.SigningSecretsAt(Now + SigningSecret.RotationOverlap));
        Assert.Equal([webhook.SigningSecret], webhook.SigningSecretsAt(Now.AddDays(2)));
    }

    [Fact]
    public void RotateSecret_Twice_KeepsOnlyTheSecretItReplaced()
    {
        var webhook = CreateValid(Minimal());
        var first = webhook.SigningSecret;
        webhook.RotateSecret(Now);
        var second = webhook.SigningSecret;

        webhook.RotateSecret(Now.AddMinutes(1));

        Assert.Equal(second, webhook.PreviousSigningSecret);
        Assert.DoesNotContain(first, webhook.SigningSecretsAt(Now.AddMinutes(1)));
    }
}
