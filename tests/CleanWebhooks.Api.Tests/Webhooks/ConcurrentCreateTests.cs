using System.Net;
using System.Text.Json;
using CleanWebhooks.Api.Tests.Http;
using CleanWebhooks.Testing;
using static CleanWebhooks.Api.Tests.Webhooks.Payloads;

namespace CleanWebhooks.Api.Tests.Webhooks;

public sealed class ConcurrentCreateTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Create_TwentyAtOnceOfOneType_ExactlyOneSucceedsAndTheOthersAre409()
    {
        using var integrator = await api.CreateIntegratorAsync();
        using var start = new SemaphoreSlim(0);

        var requests = Enumerable.Range(0, 20).Select(async i =>
        {
            await start.WaitAsync();
            return await integrator.Http.PostAsync(WebhooksUri, SeedWith(seed => seed["name"] = $"Webhook {i}"));
        }).ToList();
        start.Release(requests.Count);
        var responses = await Task.WhenAll(requests);

        try
        {
            var statuses = responses.Select(r => r.StatusCode).ToList();
            Assert.True(statuses.Count(s => s == HttpStatusCode.OK) == 1, "Statuses: " + string.Join(", ", statuses));
            Assert.Equal(19, statuses.Count(s => s == HttpStatusCode.Conflict));
            foreach (var conflict in responses.Where(r => r.StatusCode == HttpStatusCode.Conflict))
            {
                await conflict.AssertProblemAsync(HttpStatusCode.Conflict);
            }

            var listed = JsonSerializer.Deserialize<JsonElement>(await integrator.Http.GetStringAsync(WebhooksUri));
            Assert.Single(listed.EnumerateArray());
        }
        finally
        {
            foreach (var response in responses)
            {
                response.Dispose();
            }
        }
    }
}
