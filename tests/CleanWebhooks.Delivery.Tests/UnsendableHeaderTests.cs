using Microsoft.Data.Sqlite;

namespace CleanWebhooks.Delivery.Tests;

/// <summary>
/// A stored header value that may not go on the wire (a row written when the rules let a tab through, or changed
/// behind the service's back) is never sent: the attempt is an internal_error, and the receiver hears nothing.
/// </summary>
public sealed class UnsendableHeaderTests : DeliveryFixture
{
    [Theory]
    [InlineData("a\tb")]
    [InlineData("a\r\nX-Injected: yes")]
    public async Task StoredHeaderValueNotVisibleAscii_NothingSentInternalError(string stored)
    {
        using var integrator = await Factory.CreateIntegratorAsync();
        var webhook = await integrator.CreateWebhookAsync(new
        {
            name = "w",
            type = 0,
            method = "POST",
            url = Receiver.Url("/hook/:id"),
            headers = new Dictionary<string, string> { ["X-Legacy"] = "a b" },
        });
        await using (var connection = new SqliteConnection($"Data Source={Factory.DatabasePath}"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "UPDATE webhooks SET headers = $headers WHERE headers LIKE '%X-Legacy%'";
            command.Parameters.AddWithValue("$headers", System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string> { ["X-Legacy"] = stored }));
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }

        var (_, deliveryId) = await Factory.ReportAsync(integrator.ClientId, "d1");

        var delivery = await integrator.WaitForStatusAsync(webhook.Id(), deliveryId!.Value, "failed");
        Assert.All(delivery.GetProperty("attempts").EnumerateArray(), a => Assert.Equal("internal_error", a.GetProperty("error").GetString()));
        Assert.Empty(Receiver.Requests);
    }
}
