using System.Net;
using System.Net.Sockets;
using System.Text;

namespace CleanWebhooks.Delivery.Tests;

/// <summary>Odd answers from integrators' servers are recorded as attempts; none stalls a delivery.</summary>
public sealed class RobustnessTests : DeliveryFixture
{
    [Theory]
    [InlineData("1e20")]
    [InlineData("\"NaN\"")]
    [InlineData("-5")]
    public async Task TokenAnswer_UnbelievableExpiresIn_TokenUsedAndDelivered(string expiresIn)
    {
        Receiver.Respond = (request, _) => request.Path == "/login"
            ? new ReceiverAnswer(200, $$"""{"access_token": "t1", "expires_in": {{expiresIn}}}""")
            : ReceiverAnswer.Ok;
        using var integrator = await Factory.CreateIntegratorAsync();
        var webhook = await integrator.CreateWebhookAsync(new
        {
            name = "w", type = 0, method = "POST", url = Receiver.Url("/hook/:id"), authorizationUrl = Receiver.Url("/login"),
        });

        var (_, deliveryId) = await Factory.ReportAsync(integrator.ClientId, "d1");

        await integrator.WaitForStatusAsync(webhook.Id(), deliveryId!.Value, "succeeded");
        Assert.Equal("t1", Receiver.Requests[^1].Header("Authorization"));
    }

    [Fact]
    public async Task Receiver_DeclaresBodyOver2GiB_AttemptRecorded()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var stop = new CancellationTokenSource();
        var served = 0;
        var server = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var client = await listener.AcceptTcpClientAsync(stop.Token);
                Interlocked.Increment(ref served);
                var stream = client.GetStream();
                _ = await stream.ReadAsync(new byte[8192], stop.Token);
                await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 3000000000\r\n\r\nok"), stop.Token);
                await Task.Delay(200, stop.Token);
            }
        });
        using var integrator = await Factory.CreateIntegratorAsync();
        var webhook = await integrator.CreateWebhookAsync($"http://127.0.0.1:{port}/hook/:id");

        var (_, deliveryId) = await Factory.ReportAsync(integrator.ClientId, "d1");

        var delivery = await WaitForAttemptsAsync(integrator, webhook.Id(), deliveryId!.Value);
        await stop.CancelAsync();
        Assert.True(Volatile.Read(ref served) >= 1);
        Assert.True(delivery.GetProperty("attempts").GetArrayLength() >= 1, delivery.ToString());
    }

    private static async Task<System.Text.Json.JsonElement> WaitForAttemptsAsync(Integrator integrator, Guid webhookId, Guid deliveryId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var delivery = await integrator.GetDeliveryAsync(webhookId, deliveryId);
            if (delivery.GetProperty("attemptCount").GetInt32() > 0)
            {
                return delivery;
            }

            Assert.True(DateTime.UtcNow < deadline, $"No attempt was recorded: {delivery}");
            await Task.Delay(50);
        }
    }
}
