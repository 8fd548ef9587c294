using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CleanWebhooks.Application.Common.Abstractions;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace CleanWebhooks.Delivery.Tests;

/// <summary>
/// Contract section 12: a webhook switched to ed25519 signs with <c>v1a</c> (and, for the 24 h overlap, with its old
/// HMAC secret too). The service signs with libsodium (NSec); these tests verify with independent implementations —
/// BouncyCastle, and Node's <c>crypto.verify</c> running the README's receiver code — and check that a tampered body,
/// id or timestamp fails.
/// </summary>
public sealed class Ed25519SignatureTests : DeliveryFixture
{
    [Fact]
    public async Task Ed25519Webhook_Delivery_CarriesV1aThatBouncyCastleVerifiesAndTheOldV1ForTheOverlap()
    {
        var (integrator, webhook, hmacSecret, publicKey) = await Ed25519WebhookAsync();
        using var _ = integrator;

        await Factory.ReportAsync(integrator.ClientId, "doc-1", new { pages = 2 });

        var call = (await Receiver.WaitForAsync(1))[0];
        var signatures = call.Header("webhook-signature")!.Split(' ');
        Assert.Equal(2, signatures.Length);
        Assert.StartsWith("v1a,", signatures[0], StringComparison.Ordinal);
        Assert.StartsWith("v1,", signatures[1], StringComparison.Ordinal);

        var (id, timestamp) = (call.Header("webhook-id")!, call.Header("webhook-timestamp")!);
        Assert.True(BouncyCastleVerifies(publicKey, signatures[0], id, timestamp, call.Body));
        Assert.False(BouncyCastleVerifies(publicKey, signatures[0], id, timestamp, call.Body.Replace("doc-1", "doc-2", StringComparison.Ordinal)));
        Assert.False(BouncyCastleVerifies(publicKey, signatures[0], Guid.NewGuid().ToString(), timestamp, call.Body));
        Assert.False(BouncyCastleVerifies(publicKey, signatures[0], id, (long.Parse(timestamp, System.Globalization.CultureInfo.InvariantCulture) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), call.Body));

        // The secret it replaced still signs (v1) for a day: a receiver that has not switched yet keeps verifying.
        var hmac = System.Security.Cryptography.HMACSHA256.HashData(
            Convert.FromBase64String(hmacSecret["whsec_".Length..]), Encoding.UTF8.GetBytes($"{id}.{timestamp}.{call.Body}"));
        Assert.Equal("v1," + Convert.ToBase64String(hmac), signatures[1]);

        // The published JWKS holds the same key.
        var jwks = await integrator.Http.GetFromJsonAsync<JsonElement>($"/api_document/document_webhooks/{webhook}/public_keys");
        var x = Assert.Single(jwks.GetProperty("keys").EnumerateArray()).GetProperty("x").GetString()!;
        Assert.Equal(Convert.FromBase64String(publicKey["whpk_".Length..]), FromBase64Url(x));
    }

    [Fact]
    public async Task Ed25519Webhook_ReadmeNodeReceiver_VerifiesTheDeliveryAndRefusesTamperedOnes()
    {
        var (integrator, _, _, publicKey) = await Ed25519WebhookAsync();
        using var _ = integrator;
        await Factory.ReportAsync(integrator.ClientId, "doc-1");
        var call = (await Receiver.WaitForAsync(1))[0];
        var (id, timestamp, signature) = (call.Header("webhook-id")!, call.Header("webhook-timestamp")!, call.Header("webhook-signature")!);

        Assert.Equal("true", await NodeVerifiesAsync(publicKey, id, timestamp, signature, call.Body));
        Assert.Equal("false", await NodeVerifiesAsync(publicKey, id, timestamp, signature, call.Body.Replace("doc-1", "doc-2", StringComparison.Ordinal)));
        Assert.Equal("false", await NodeVerifiesAsync(publicKey, Guid.NewGuid().ToString(), timestamp, signature, call.Body));
        Assert.Equal("false", await NodeVerifiesAsync(publicKey, id, timestamp + "0", signature, call.Body));
    }

    [Fact]
    public async Task Ed25519Webhook_PrivateKey_EncryptedAtRestAndInNoAnswer()
    {
        var (integrator, webhook, _, publicKey) = await Ed25519WebhookAsync();
        using var _ = integrator;
        var answers = new StringBuilder();
        foreach (var path in new[] { "", "/secret", "/public_keys" })
        {
            answers.Append(await integrator.Http.GetStringAsync(new Uri($"/api_document/document_webhooks/{webhook}{path}", UriKind.Relative)));
        }

        using var rotate = await integrator.Http.PostAsync(new Uri($"/api_document/document_webhooks/{webhook}/secret/rotate", UriKind.Relative), null);
        answers.Append(await rotate.Content.ReadAsStringAsync());

        await using var connection = new SqliteConnection($"Data Source={Factory.DatabasePath};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT previous_signing_secret_cipher, previous_signing_public_key FROM webhooks WHERE id = $id;";
        command.Parameters.AddWithValue("$id", webhook);
        await using var row = await command.ExecuteReaderAsync();
        Assert.True(await row.ReadAsync());
        var cipher = row.GetString(0);
        Assert.Equal(publicKey, row.GetString(1));

        var privateKey = Factory.Services.GetRequiredService<ISecretProtector>().Unprotect(cipher);
        Assert.StartsWith("whsk_", privateKey, StringComparison.Ordinal);
        var seed = privateKey["whsk_".Length..];
        Assert.DoesNotContain(seed, cipher, StringComparison.Ordinal);
        Assert.DoesNotContain("whsk_", cipher, StringComparison.Ordinal);
        Assert.DoesNotContain(seed, answers.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("whsk_", answers.ToString(), StringComparison.Ordinal);
    }

    /// <summary>A webhook on the receiver switched to ed25519: its HMAC secret before the switch and its public key.</summary>
    private async Task<(Integrator Integrator, Guid Webhook, string HmacSecret, string PublicKey)> Ed25519WebhookAsync()
    {
        var integrator = await Factory.CreateIntegratorAsync();
        var webhook = (await integrator.CreateWebhookAsync(Receiver.Url("/hook/:id"))).Id();
        var secret = await integrator.Http.GetFromJsonAsync<JsonElement>($"/api_document/document_webhooks/{webhook}/secret");
        using var set = await integrator.Http.PutAsJsonAsync($"/api_document/document_webhooks/{webhook}/signing", new { scheme = "ed25519" });
        var answer = await set.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(set.IsSuccessStatusCode, answer.ToString());
        return (integrator, webhook, secret.GetProperty("key").GetString()!, answer.GetProperty("publicKey").GetString()!);
    }

    private static bool BouncyCastleVerifies(string publicKey, string signature, string id, string timestamp, string body)
    {
        var verifier = new Ed25519Signer();
        verifier.Init(false, new Ed25519PublicKeyParameters(Convert.FromBase64String(publicKey["whpk_".Length..])));
        var content = Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}");
        verifier.BlockUpdate(content, 0, content.Length);
        return verifier.VerifySignature(Convert.FromBase64String(signature["v1a,".Length..]));
    }

    /// <summary>
    /// Runs the README's Node.js receiver code (the <c>js</c> block of "Receivers with stricter security") on one
    /// request; it prints true or false.
    /// </summary>
    private static async Task<string> NodeVerifiesAsync(string publicKey, string id, string timestamp, string signature, string body)
    {
        var script = ReadmeNodeReceiver() + """

            const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
            console.log(String(verifyWebhook(input.publicKey, input.headers, input.body)));
            """;
        var start = new ProcessStartInfo("node", ["-e", script])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var node = Process.Start(start)!;
        await node.StandardInput.WriteAsync(JsonSerializer.Serialize(new
        {
            publicKey,
            headers = new Dictionary<string, string> { ["webhook-id"] = id, ["webhook-timestamp"] = timestamp, ["webhook-signature"] = signature },
            body,
        }));
        node.StandardInput.Close();
        var output = await node.StandardOutput.ReadToEndAsync();
        var errors = await node.StandardError.ReadToEndAsync();
        await node.WaitForExitAsync();
        Assert.True(node.ExitCode == 0, errors);
        return output.Trim();
    }

    private static string ReadmeNodeReceiver()
    {
        var readme = RepositoryFiles.ReadText("README.md");
        var section = readme[readme.IndexOf("## Receivers with stricter security", StringComparison.Ordinal)..];
        var start = section.IndexOf("```js\n", StringComparison.Ordinal) + "```js\n".Length;
        return section[start..section.IndexOf("```", start, StringComparison.Ordinal)];
    }

    private static byte[] FromBase64Url(string text)
    {
        var base64 = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(base64 + new string('=', (4 - (base64.Length % 4)) % 4));
    }
}
