using System.Net;
using System.Net.Http.Json;
using CleanWebhooks.Api.Tests.Http;
using CleanWebhooks.Testing;
using static CleanWebhooks.Api.Tests.Webhooks.Payloads;

namespace CleanWebhooks.Api.Tests.Operations;

/// <summary>Contract section 7: per-key token buckets, failed authentication throttled per address, the internal API never limited.</summary>
public sealed class RateLimitTests
{
    /// <summary>Enough requests to empty a bucket of <c>Burst</c> 5 refilled at 1 a second, however slow the machine.</summary>
    private const int Plenty = 60;

    [Fact]
    public async Task IntegratorApi_BeyondBurst_Is429ProblemWithRetryAfter()
    {
        using var api = Limited(permitsPerSecond: 1, burst: 5);
        using var integrator = await api.CreateIntegratorAsync();

        var (ok, rejected) = await UntilRejectedAsync(integrator.Http);

        Assert.True(ok >= 5, $"Only {ok} requests passed before the first 429; the burst is 5.");
        Assert.NotNull(rejected);
        var problem = await rejected.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.Equal("rate_limited", problem.GetProperty("code").GetString());
        Assert.Contains("Too many requests", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.True(rejected.Headers.RetryAfter?.Delta is { TotalSeconds: >= 1 }, $"Retry-After: {rejected.Headers.RetryAfter}");
        rejected.Dispose();
    }

    [Fact]
    public async Task IntegratorApi_BeyondBurstInPortuguese_Is429InPortuguese()
    {
        using var api = Limited(permitsPerSecond: 1, burst: 5);
        using var integrator = await api.CreateIntegratorAsync();
        integrator.Http.DefaultRequestHeaders.AcceptLanguage.ParseAdd("pt-BR");

        var (_, rejected) = await UntilRejectedAsync(integrator.Http);

        Assert.NotNull(rejected);
        var problem = await rejected.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.Contains("Requisições demais", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.NotNull(rejected.Headers.RetryAfter);
        rejected.Dispose();
    }

    [Fact]
    public async Task IntegratorApi_OneKeyOverItsLimit_LeavesAnotherKeyAndTheInternalApiAlone()
    {
        using var api = Limited(permitsPerSecond: 1, burst: 5);
        using var busy = await api.CreateIntegratorAsync("Busy");
        using var quiet = await api.CreateIntegratorAsync("Quiet");
        using var sameClientOtherKey = api.CreateClientWithApiKey((await api.IssueApiKeyAsync(busy.ClientId)).ApiKey);

        var (_, rejected) = await UntilRejectedAsync(busy.Http);
        rejected?.Dispose();

        Assert.NotNull(rejected);
        using var quietAnswer = await quiet.Http.GetAsync(WebhooksUri);
        using var otherKeyAnswer = await sameClientOtherKey.GetAsync(WebhooksUri);
        Assert.Equal(HttpStatusCode.OK, quietAnswer.StatusCode);
        Assert.Equal(HttpStatusCode.OK, otherKeyAnswer.StatusCode);
        using var admin = api.CreateInternalClient();
        for (var i = 0; i < 20; i++)
        {
            using var created = await admin.PostAsJsonAsync("/internal/clients", new { name = $"Client {i}" });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }
    }

    [Fact]
    public async Task Limits_SetToZero_AreOff()
    {
        using var api = new ApiFactory();
        api.Settings["RateLimiting:PermitsPerSecond"] = "0";
        api.Settings["RateLimiting:Burst"] = "2";
        api.Settings["RateLimiting:FailedAuthPerMinute"] = "0";
        using var integrator = await api.CreateIntegratorAsync();
        using var stranger = api.CreateClientWithApiKey("not-a-key");

        for (var i = 0; i < 30; i++)
        {
            using var response = await integrator.Http.GetAsync(WebhooksUri);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var refused = await stranger.GetAsync(WebhooksUri);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }
    }

    [Fact]
    public async Task FailedAuthentication_BeyondTheLimit_Is429WhileAValidKeyFromTheSameAddressWorks()
    {
        using var api = new ApiFactory();
        api.Settings["RateLimiting:FailedAuthPerMinute"] = "3";
        using var integrator = await api.CreateIntegratorAsync();
        using var guesser = api.CreateClientWithApiKey("cwk_guess");
        guesser.DefaultRequestHeaders.AcceptLanguage.ParseAdd("pt-BR");

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? throttled = null;
        for (var i = 0; i < 20 && throttled is null; i++)
        {
            var response = await guesser.GetAsync(WebhooksUri);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                throttled = response;
            }
            else
            {
                response.Dispose();
            }
        }

        Assert.NotNull(throttled);
        Assert.True(statuses.Take(3).All(s => s == HttpStatusCode.Unauthorized), string.Join(", ", statuses));
        var problem = await throttled.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.Equal("too_many_failed_authentications", problem.GetProperty("code").GetString());
        Assert.Contains("Falhas de autenticação demais", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.True(throttled.Headers.RetryAfter?.Delta is { TotalSeconds: >= 1 and <= 60 }, $"Retry-After: {throttled.Headers.RetryAfter}");
        throttled.Dispose();

        for (var i = 0; i < 10; i++)
        {
            using var valid = await integrator.Http.GetAsync(WebhooksUri);
            Assert.Equal(HttpStatusCode.OK, valid.StatusCode);
        }

        using var wrongInternal = api.CreateClient();
        wrongInternal.DefaultRequestHeaders.Add("X-INTERNAL-KEY", "guessed-internal-key");
        using var internalGuess = await wrongInternal.PostAsJsonAsync("/internal/clients", new { name = "x" });
        await internalGuess.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        using var admin = api.CreateInternalClient();
        using var created = await admin.PostAsJsonAsync("/internal/clients", new { name = "Still works" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    private static ApiFactory Limited(int permitsPerSecond, int burst)
    {
        var api = new ApiFactory();
        api.Settings["RateLimiting:PermitsPerSecond"] = permitsPerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture);
        api.Settings["RateLimiting:Burst"] = burst.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return api;
    }

    /// <summary>Requests until the first 429 (returned, undisposed); how many passed before it.</summary>
    private static async Task<(int Ok, HttpResponseMessage? Rejected)> UntilRejectedAsync(HttpClient http)
    {
        var ok = 0;
        for (var i = 0; i < Plenty; i++)
        {
            var response = await http.GetAsync(WebhooksUri);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                return (ok, response);
            }

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            response.Dispose();
            ok++;
        }

        return (ok, null);
    }
}
