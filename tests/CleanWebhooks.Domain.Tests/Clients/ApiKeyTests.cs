using System.Security.Cryptography;
using System.Text;
using CleanWebhooks.Domain.Clients;

namespace CleanWebhooks.Domain.Tests.Clients;

public class ApiKeyTests
{
    private static readonly ClientId Client = ClientId.New();
    private static readonly DateTimeOffset Now = new(2024, 4, 11, 17, 12, 33, TimeSpan.Zero);

    [Fact]
    public void Issue_Always_GivesAPrefixedRandomKeyThatIsNotStored()
    {
        var (key, plain) = ApiKey.Issue(Client, Now);

        Assert.StartsWith("cwk_", plain, StringComparison.Ordinal);
        Assert.True(plain.Length >= 40, plain);
        Assert.DoesNotContain(plain[4..], Convert.ToBase64String(key.Hash), StringComparison.Ordinal);
        Assert.Equal(Client, key.ClientId);
        Assert.Equal(Now, key.CreatedAt);
        Assert.Null(key.RevokedAt);
    }

    [Fact]
    public void Issue_Twice_GivesDifferentKeysAndIds()
    {
        var (first, firstPlain) = ApiKey.Issue(Client, Now);
        var (second, secondPlain) = ApiKey.Issue(Client, Now);

        Assert.NotEqual(firstPlain, secondPlain);
        Assert.NotEqual(first.Id, second.Id);
        Assert.NotEqual(first.Hash, second.Hash);
    }

    [Fact]
    public void Issue_Always_UsesUrlSafeCharactersOnly()
    {
        var (_, plain) = ApiKey.Issue(Client, Now);

        Assert.All(plain, c => Assert.True(char.IsAsciiLetterOrDigit(c) || c is '-' or '_', $"'{c}' in {plain}"));
    }

    [Fact]
    public void HashOf_PlainKey_IsItsSha256()
    {
        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes("cwk_abc")), ApiKey.HashOf("cwk_abc"));
    }

    [Fact]
    public void Issue_Always_StoresTheHashOfThePlainKey()
    {
        var (key, plain) = ApiKey.Issue(Client, Now);

        Assert.Equal(ApiKey.HashOf(plain), key.Hash);
    }

    [Fact]
    public void Matches_ThePlainKey_IsTrue()
    {
        var (key, plain) = ApiKey.Issue(Client, Now);

        Assert.True(key.Matches(plain));
    }

    [Theory]
    [InlineData("")]
    [InlineData("cwk_")]
    [InlineData("wrong")]
    public void Matches_AnotherKey_IsFalse(string other)
    {
        var (key, _) = ApiKey.Issue(Client, Now);

        Assert.False(key.Matches(other));
    }

    [Fact]
    public void Matches_AlmostThePlainKey_IsFalse()
    {
        var (key, plain) = ApiKey.Issue(Client, Now);

        Assert.False(key.Matches(plain[..^1]));
        Assert.False(key.Matches(plain + "x"));
        Assert.False(key.Matches(plain.ToUpperInvariant()));
    }

    [Fact]
    public void Matches_RevokedKey_IsFalseEvenForItsPlainKey()
    {
        var (issued, plain) = ApiKey.Issue(Client, Now);

        var revoked = ApiKey.Restore(issued.Id, issued.ClientId, issued.Hash, issued.CreatedAt, Now.AddMinutes(1));

        Assert.False(revoked.Matches(plain));
        Assert.Equal(Now.AddMinutes(1), revoked.RevokedAt);
    }

    [Fact]
    public void FromPlain_KnownKey_MatchesIt()
    {
        var key = ApiKey.FromPlain(ApiKeyId.New(), Client, "demo-api-key", Now);

        Assert.True(key.Matches("demo-api-key"));
        Assert.False(key.Matches("demo-api-kez"));
    }
}
