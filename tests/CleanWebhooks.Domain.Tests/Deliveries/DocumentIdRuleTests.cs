using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Deliveries;

namespace CleanWebhooks.Domain.Tests.Deliveries;

/// <summary>The one documentId rule: visible text of 1 to 200 characters, no control or bidirectional characters.</summary>
public class DocumentIdRuleTests
{
    [Theory]
    [InlineData("doc-1")]
    [InlineData(" padded ")]
    [InlineData("ação")]
    public void Create_VisibleDocumentId_Succeeds(string documentId) =>
        Assert.True(DocumentEvent.Create(ClientId.New(), documentId, 0, null, DateTimeOffset.UnixEpoch).IsSuccess);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("a\u0000b")]
    [InlineData("a\u001fb")]
    [InlineData("a\u007fb")]
    [InlineData("a\u0080b")]
    [InlineData("a\u009fb")]
    [InlineData("a\u202Eb")]
    [InlineData("a\u2066b")]
    [InlineData("a\u2069b")]
    [InlineData("a\u200Eb")]
    [InlineData("a\u200Fb")]
    public void Create_DocumentIdWithControlsOrBlank_IsTheInvalidDocumentIdError(string? documentId)
    {
        var created = DocumentEvent.Create(ClientId.New(), documentId, 0, null, DateTimeOffset.UnixEpoch);

        Assert.Equal(DeliveryErrors.InvalidDocumentId, created.Error);
        Assert.Equal("documentId", created.Error!.Field);
    }

    [Fact]
    public void Create_DocumentIdLongerThan200_IsRefused() =>
        Assert.False(DocumentEvent.IsValidDocumentId(new string('d', DocumentEvent.DocumentIdMaxLength + 1)));
}
