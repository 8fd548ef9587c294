using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CleanWebhooks.Api.Tests.Http;
using CleanWebhooks.Testing;
using static CleanWebhooks.Api.Tests.Webhooks.Payloads;

namespace CleanWebhooks.Api.Tests.Webhooks;

/// <summary>
/// <c>PUT .../{id}/limits</c> (contract section 5, "The integrator's own limits"): both limits replaced, a field left out
/// is null, each range refused naming its field, and the limits in every webhook answer.
/// </summary>
public sealed class WebhookLimitsTests(ApiFactory api) : IntegratorTests(api)
{
    [Fact]
    public async Task SetLimits_BothInRange_200WithThemAndTheyAreInEveryAnswer()
    {
        var created = await CreateAsync();

        using var response = await Http.PutAsync(LimitsUri(created.GetProperty("id").GetGuid()), Json("""{"maxInFlight": 8, "maxPerSecond": 100}"""));

        var webhook = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.OK, webhook.ToString());
        Assert.Equal(8, webhook.GetProperty("maxInFlight").GetInt32());
        Assert.Equal(100, webhook.GetProperty("maxPerSecond").GetInt32());
        Assert.True(DateTimeOffset.Parse(webhook.GetProperty("updatedAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture)
            > DateTimeOffset.Parse(created.GetProperty("updatedAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        var read = await Http.GetFromJsonAsync<JsonElement>(WebhookUri(created.GetProperty("id").GetGuid()));
        Assert.Equal(8, read.GetProperty("maxInFlight").GetInt32());
        var listed = Assert.Single((await Http.GetFromJsonAsync<JsonElement>(WebhooksUri)).EnumerateArray());
        Assert.Equal(100, listed.GetProperty("maxPerSecond").GetInt32());
    }

    [Fact]
    public async Task SetLimits_FieldLeftOutOrNull_RemovesThatLimit()
    {
        var created = await CreateAsync();
        (await Http.PutAsync(LimitsUri(created.GetProperty("id").GetGuid()), Json("""{"maxInFlight": 8, "maxPerSecond": 100}"""))).Dispose();

        using var leftOut = await Http.PutAsync(LimitsUri(created.GetProperty("id").GetGuid()), Json("""{"maxPerSecond": 5}"""));
        var afterLeftOut = await leftOut.Content.ReadFromJsonAsync<JsonElement>();
        using var nulls = await Http.PutAsync(LimitsUri(created.GetProperty("id").GetGuid()), Json("""{"maxInFlight": null, "maxPerSecond": null}"""));
        var afterNulls = await nulls.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(JsonValueKind.Null, afterLeftOut.GetProperty("maxInFlight").ValueKind);
        Assert.Equal(5, afterLeftOut.GetProperty("maxPerSecond").GetInt32());
        Assert.Equal(JsonValueKind.Null, afterNulls.GetProperty("maxInFlight").ValueKind);
        Assert.Equal(JsonValueKind.Null, afterNulls.GetProperty("maxPerSecond").ValueKind);
    }

    [Theory]
    [InlineData("""{"maxInFlight": 0}""", "maxInFlight")]
    [InlineData("""{"maxInFlight": 65}""", "maxInFlight")]
    [InlineData("""{"maxPerSecond": 0}""", "maxPerSecond")]
    [InlineData("""{"maxPerSecond": 1001}""", "maxPerSecond")]
    [InlineData("""{"maxPerSecond": "5"}""", "maxPerSecond")]
    [InlineData("""{"maxInFlight": 2.5}""", "maxInFlight")]
    [InlineData("""{"maxInFlight": 2, "maxInFlight": 3}""", "maxInFlight")]
    [InlineData("""{"maxConcurrency": 2}""", "maxConcurrency")]
    public async Task SetLimits_OutOfRangeOrNotStrict_400NamingTheFieldAndNothingChanges(string body, string field)
    {
        var created = await CreateAsync();

        using var response = await Http.PutAsync(LimitsUri(created.GetProperty("id").GetGuid()), Json(body));

        await response.AssertValidationProblemAsync(field);
        var read = await Http.GetFromJsonAsync<JsonElement>(WebhookUri(created.GetProperty("id").GetGuid()));
        Assert.Equal(JsonValueKind.Null, read.GetProperty("maxInFlight").ValueKind);
        Assert.Equal(created.GetProperty("updatedAt").GetString(), read.GetProperty("updatedAt").GetString());
    }

    [Fact]
    public async Task SetLimits_BothOutOfRange_400NamingBoth()
    {
        var created = await CreateAsync();

        using var response = await Http.PutAsync(LimitsUri(created.GetProperty("id").GetGuid()), Json("""{"maxInFlight": 100, "maxPerSecond": 5000}"""));

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(["maxInFlight", "maxPerSecond"], Problem.Errors(problem).Keys.Order());
    }

    [Fact]
    public async Task SetLimits_InPortuguese_SaysTheRangeInPortuguese()
    {
        var created = await CreateAsync();
        using var request = new HttpRequestMessage(HttpMethod.Put, LimitsUri(created.GetProperty("id").GetGuid())) { Content = Json("""{"maxInFlight": 99}""") };
        request.Headers.AcceptLanguage.Add(new StringWithQualityHeaderValue("pt-BR"));

        using var response = await Http.SendAsync(request);

        var messages = await response.AssertValidationProblemAsync("maxInFlight");
        Assert.Contains("número inteiro de 1 a 64", messages[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task SetLimits_UnknownOrAnotherClientsWebhook_404()
    {
        var created = await CreateAsync();
        using var other = await Api.CreateIntegratorAsync("Other");

        using var unknown = await Http.PutAsync(LimitsUri(Guid.NewGuid()), Json("""{"maxInFlight": 2}"""));
        using var notMine = await other.Http.PutAsync(LimitsUri(created.GetProperty("id").GetGuid()), Json("""{"maxInFlight": 2}"""));

        await unknown.AssertProblemAsync(HttpStatusCode.NotFound);
        await notMine.AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(JsonValueKind.Null, (await Http.GetFromJsonAsync<JsonElement>(WebhookUri(created.GetProperty("id").GetGuid()))).GetProperty("maxInFlight").ValueKind);
    }

    private async Task<JsonElement> CreateAsync()
    {
        using var response = await Http.PostAsync(WebhooksUri, Json(SeedRequest));
        var webhook = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, webhook.ToString());
        return webhook;
    }

    private static Uri LimitsUri(Guid id) => new($"{WebhookUri(id)}/limits", UriKind.Relative);
}
