using CleanWebhooks.Domain.Clients;

namespace CleanWebhooks.Domain.Tests.Clients;

public class ClientTests
{
    private static readonly DateTimeOffset Now = new(2024, 4, 11, 17, 12, 33, TimeSpan.Zero);

    [Fact]
    public void Create_ValidName_KeepsIdNameAndTime()
    {
        var id = ClientId.New();

        var result = Client.Create(id, "Acme OCR", Now);

        Assert.True(result.IsSuccess);
        Assert.Equal(id, result.Value.Id);
        Assert.Equal("Acme OCR", result.Value.Name);
        Assert.Equal(Now, result.Value.CreatedAt);
    }

    [Fact]
    public void Create_NameWithSurroundingSpaces_IsTrimmed()
    {
        Assert.Equal("Acme", Client.Create(ClientId.New(), "  Acme \t", Now).Value.Name);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Create_BlankName_IsRefusedOnName(string? name)
    {
        var result = Client.Create(ClientId.New(), name, Now);

        Assert.False(result.IsSuccess);
        Assert.Equal(ClientErrors.InvalidName, result.Error);
        Assert.Equal("name", result.Error.Field);
    }

    [Fact]
    public void Create_NameAtMaxLength_IsAccepted()
    {
        Assert.True(Client.Create(ClientId.New(), new string('c', Client.NameMaxLength), Now).IsSuccess);
    }

    [Fact]
    public void Create_NameOverMaxLength_IsRefused()
    {
        var result = Client.Create(ClientId.New(), new string('c', Client.NameMaxLength + 1), Now);

        Assert.Equal(ClientErrors.InvalidName, result.Error);
    }

    [Fact]
    public void New_Twice_GivesDifferentIds()
    {
        Assert.NotEqual(ClientId.New(), ClientId.New());
        Assert.NotEqual(ApiKeyId.New(), ApiKeyId.New());
    }
}
