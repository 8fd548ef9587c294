using CleanWebhooks.Application.Common.Abstractions;
using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Infrastructure.Security;
using Microsoft.AspNetCore.DataProtection;

namespace CleanWebhooks.Infrastructure.Tests.Security;

public sealed class PortalSessionTokensTests : IDisposable
{
    private readonly string _keys = Path.Combine(Path.GetTempPath(), "cleanwebhooks-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public void Read_TokenIssuedByAnotherNodeOnTheSameKeyRing_ReturnsTheSession()
    {
        var session = Session(DateTimeOffset.UtcNow.AddMinutes(5));

        var token = new DataProtectionPortalSessionTokens(Node()).Issue(session);

        Assert.Equal(session, new DataProtectionPortalSessionTokens(Node()).Read(token));
    }

    [Fact]
    public void Read_AnyCharacterChanged_ReturnsNull()
    {
        var tokens = new DataProtectionPortalSessionTokens(Node());
        var token = tokens.Issue(Session(DateTimeOffset.UtcNow.AddMinutes(5)));

        // The last character may carry unused base64 bits, so changing it need not change the bytes.
        for (var i = 0; i < token.Length - 1; i += 7)
        {
            var tampered = token[..i] + (token[i] == 'A' ? 'B' : 'A') + token[(i + 1)..];
            Assert.Null(tokens.Read(tampered));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a token")]
    [InlineData("CfDJ8")]
    public void Read_Garbage_ReturnsNull(string token) =>
        Assert.Null(new DataProtectionPortalSessionTokens(Node()).Read(token));

    [Fact]
    public void Read_Expired_ReturnsNull()
    {
        var tokens = new DataProtectionPortalSessionTokens(Node());

        Assert.Null(tokens.Read(tokens.Issue(Session(DateTimeOffset.UtcNow.AddSeconds(-1)))));
    }

    [Fact]
    public void Read_SecretSealedForAnotherPurposeOrKeyRing_ReturnsNull()
    {
        var clientId = ClientId.New().Value.ToString("N");
        var asSecret = new DataProtectionSecretProtector(Node()).Protect(clientId);
        var otherRing = DataProtectionProvider.Create(new DirectoryInfo(_keys + "-other"), b => b.SetApplicationName("CleanWebhooks"));
        var fromOtherRing = new DataProtectionPortalSessionTokens(otherRing).Issue(Session(DateTimeOffset.UtcNow.AddMinutes(5)));

        Assert.Null(new DataProtectionPortalSessionTokens(Node()).Read(asSecret));
        Assert.Null(new DataProtectionPortalSessionTokens(Node()).Read(fromOtherRing));
    }

    public void Dispose()
    {
        foreach (var folder in new[] { _keys, _keys + "-other" })
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    [Fact]
    public void Read_TokenOfTheEarlierFormWithoutALinkId_ReturnsNull()
    {
        var earlier = Node().CreateProtector("CleanWebhooks.Portal.Session.v1").ToTimeLimitedDataProtector()
            .Protect(ClientId.New().Value.ToString("N"), DateTimeOffset.UtcNow.AddMinutes(5));

        Assert.Null(new DataProtectionPortalSessionTokens(Node()).Read(earlier));
    }

    private static PortalSession Session(DateTimeOffset expiresAt) => new(ClientId.New(), expiresAt, Guid.NewGuid(), 3);

    /// <summary>A node's provider, as the service configures it: the shared key directory and the application name.</summary>
    private IDataProtectionProvider Node() =>
        DataProtectionProvider.Create(new DirectoryInfo(_keys), b => b.SetApplicationName("CleanWebhooks"));
}
