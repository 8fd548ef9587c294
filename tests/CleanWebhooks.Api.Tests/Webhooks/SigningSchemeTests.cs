using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CleanWebhooks.Api.Tests.Http;
using CleanWebhooks.Testing;
using static CleanWebhooks.Api.Tests.Webhooks.Payloads;

namespace CleanWebhooks.Api.Tests.Webhooks;

/// <summary>
/// Contract section 12: <c>PUT .../signing</c> chooses ed25519 or hmac-sha256; the answers that show keys show the
/// public key only, and <c>GET .../public_keys</c> publishes every key that signs. Bodies are strict (section 6).
/// </summary>
public sealed class SigningSchemeTests(ApiFactory api) : IntegratorTests(api)
{
    [Fact]
    public async Task SetSigning_Ed25519_AnswersThePublicKeyAndSecretShowsNoKey()
    {
        var webhook = await CreateAsync();

        using var answer = await Http.PutAsJsonAsync(SigningUri(webhook), new { scheme = "ed25519" });

        var body = await answer.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(answer.StatusCode == HttpStatusCode.OK, body.ToString());
        Assert.Equal(["scheme", "publicKey"], body.EnumerateObject().Select(p => p.Name));
        Assert.Equal("ed25519", body.GetProperty("scheme").GetString());
        var publicKey = body.GetProperty("publicKey").GetString()!;
        Assert.StartsWith("whpk_", publicKey, StringComparison.Ordinal);
        Assert.Equal(32, Convert.FromBase64String(publicKey["whpk_".Length..]).Length);

        var secret = await Http.GetFromJsonAsync<JsonElement>($"{Route}/{webhook}/secret");
        Assert.Equal(JsonValueKind.Null, secret.GetProperty("key").ValueKind);
        Assert.Equal(publicKey, secret.GetProperty("publicKey").GetString());
    }

    [Fact]
    public async Task GetPublicKeys_AfterChangeAndRotation_ListsEveryKeyThatSignsWithThumbprintKids()
    {
        var webhook = await CreateAsync();
        Assert.Empty((await PublicKeysAsync(webhook)).GetProperty("keys").EnumerateArray());

        using var set = await Http.PutAsJsonAsync(SigningUri(webhook), new { scheme = "ed25519" });
        var first = (await set.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("publicKey").GetString()!;
        using var rotate = await Http.PostAsync(new Uri($"{Route}/{webhook}/secret/rotate", UriKind.Relative), null);
        var rotated = await rotate.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(JsonValueKind.Null, rotated.GetProperty("key").ValueKind);
        var second = rotated.GetProperty("publicKey").GetString()!;
        Assert.NotEqual(first, second);

        var keys = (await PublicKeysAsync(webhook)).GetProperty("keys").EnumerateArray().ToList();
        Assert.Equal([X(second), X(first)], keys.Select(k => k.GetProperty("x").GetString()));
        foreach (var key in keys)
        {
            Assert.Equal("OKP", key.GetProperty("kty").GetString());
            Assert.Equal("Ed25519", key.GetProperty("crv").GetString());

            // RFC 7638 (with RFC 8037's members): the SHA-256 of {"crv","kty","x"} in that order, base64url.
            var canonical = $$"""{"crv":"Ed25519","kty":"OKP","x":"{{key.GetProperty("x").GetString()}}"}""";
            Assert.Equal(Base64Url(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(canonical))), key.GetProperty("kid").GetString());
        }
    }

    [Fact]
    public async Task SetSigning_ChangingScheme_MovesUpdatedAtAndTheSameSchemeAgainChangesNothing()
    {
        var webhook = await CreateAsync();
        var created = await ReadAsync(webhook);

        using var first = await Http.PutAsJsonAsync(SigningUri(webhook), new { scheme = "ed25519" });
        var changed = await ReadAsync(webhook);
        using var again = await Http.PutAsJsonAsync(SigningUri(webhook), new { scheme = "ed25519" });
        var unchanged = await ReadAsync(webhook);

        Assert.True(DateTimeOffset.Parse(changed.GetProperty("updatedAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture)
            > DateTimeOffset.Parse(created.GetProperty("updatedAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(changed.GetProperty("updatedAt").GetString(), unchanged.GetProperty("updatedAt").GetString());
        Assert.Equal(
            (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("publicKey").GetString(),
            (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("publicKey").GetString());
        Assert.Single((await PublicKeysAsync(webhook)).GetProperty("keys").EnumerateArray());
    }

    [Fact]
    public async Task SetSigning_BackToHmac_AnswersNoPublicKeyAndANewSecret()
    {
        var webhook = await CreateAsync();
        var hmac = (await Http.GetFromJsonAsync<JsonElement>($"{Route}/{webhook}/secret")).GetProperty("key").GetString();
        using var toEd25519 = await Http.PutAsJsonAsync(SigningUri(webhook), new { scheme = "ed25519" });

        using var back = await Http.PutAsJsonAsync(SigningUri(webhook), new { scheme = "hmac-sha256" });

        var body = await back.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("hmac-sha256", body.GetProperty("scheme").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("publicKey").ValueKind);
        var secret = await Http.GetFromJsonAsync<JsonElement>($"{Route}/{webhook}/secret");
        Assert.StartsWith("whsec_", secret.GetProperty("key").GetString(), StringComparison.Ordinal);
        Assert.NotEqual(hmac, secret.GetProperty("key").GetString());
        Assert.Equal(JsonValueKind.Null, secret.GetProperty("publicKey").ValueKind);

        // The ed25519 key it replaced still signs for a day, so it is still published.
        Assert.Single((await PublicKeysAsync(webhook)).GetProperty("keys").EnumerateArray());
    }

    [Theory]
    [InlineData("""{"scheme": "rsa"}""", "scheme")]
    [InlineData("""{"scheme": "ED25519"}""", "scheme")]
    [InlineData("""{"scheme": ""}""", "scheme")]
    [InlineData("""{"scheme": null}""", "scheme")]
    [InlineData("""{}""", "scheme")]
    [InlineData("""{"scheme": 1}""", "scheme")]
    [InlineData("""{"scheme": ["ed25519"]}""", "scheme")]
    [InlineData("""{"scheme": "ed25519", "scheme": "hmac-sha256"}""", "scheme")]
    [InlineData("""{"scheme": "ed25519", "publicKey": "whpk_x"}""", "publicKey")]
    [InlineData("""{"Scheme": "ed25519", "algorithm": "ed25519"}""", "algorithm")]
    [InlineData("""[]""", "body")]
    [InlineData("""null""", "body")]
    public async Task SetSigning_RefusedBody_Is400NamingTheFieldAndChangesNothing(string json, string field)
    {
        var webhook = await CreateAsync();
        var before = await ReadAsync(webhook);

        using var response = await Http.PutAsync(SigningUri(webhook), Raw(json, "application/json"));

        await response.AssertValidationProblemAsync(field);
        Assert.Equal(before.GetProperty("updatedAt").GetString(), (await ReadAsync(webhook)).GetProperty("updatedAt").GetString());
    }

    [Fact]
    public async Task SetSigning_UnknownSchemeInPortuguese_Is400InPortuguese()
    {
        var webhook = await CreateAsync();
        using var request = new HttpRequestMessage(HttpMethod.Put, SigningUri(webhook)) { Content = Raw("""{"scheme": "rsa"}""", "application/json") };
        request.Headers.AcceptLanguage.ParseAdd("pt-BR");

        using var response = await Http.SendAsync(request);

        var messages = await response.AssertValidationProblemAsync("scheme");
        Assert.Contains("deve ser ed25519 ou hmac-sha256", messages[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task SigningEndpoints_AnotherClientsWebhook_Are404()
    {
        var webhook = await CreateAsync();
        using var other = await Api.CreateIntegratorAsync("Other");

        using var set = await other.Http.PutAsJsonAsync(SigningUri(webhook), new { scheme = "ed25519" });
        using var keys = await other.Http.GetAsync(new Uri($"{Route}/{webhook}/public_keys", UriKind.Relative));
        using var missing = await Http.PutAsJsonAsync(SigningUri(Guid.NewGuid()), new { scheme = "ed25519" });

        await set.AssertProblemAsync(HttpStatusCode.NotFound);
        await keys.AssertProblemAsync(HttpStatusCode.NotFound);
        await missing.AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Empty((await PublicKeysAsync(webhook)).GetProperty("keys").EnumerateArray());
    }

    private async Task<Guid> CreateAsync()
    {
        using var response = await Http.PostAsync(WebhooksUri, Json(SeedRequest));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private async Task<JsonElement> ReadAsync(Guid webhook) => await Http.GetFromJsonAsync<JsonElement>($"{Route}/{webhook}");

    private async Task<JsonElement> PublicKeysAsync(Guid webhook)
    {
        using var response = await Http.GetAsync(new Uri($"{Route}/{webhook}/public_keys", UriKind.Relative));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        return body;
    }

    private static Uri SigningUri(Guid webhook) => new($"{Route}/{webhook}/signing", UriKind.Relative);

    private static string X(string publicKey) => Base64Url(Convert.FromBase64String(publicKey["whpk_".Length..]));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
