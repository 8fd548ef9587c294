using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CleanWebhooks.Testing;

namespace CleanWebhooks.Api.Tests.Http;

/// <summary>
/// A documentId with a control character (C0, DEL, C1) or a bidirectional control is refused with a 400 naming
/// <c>documentId</c>, in the single and the batch intake alike, in English and Brazilian Portuguese: one rule, the
/// Domain's <c>DocumentEvent.IsValidDocumentId</c>.
/// </summary>
public sealed class DocumentIdTests(ApiFactory api) : IntegratorTests(api)
{
    public static TheoryData<string> Refused => new()
    {
        "doc\u0000-1", "doc\r\n-1", "doc\t1", "\u001b[31mdoc", "doc\u007f", "doc\u0085", "doc\u009b1",
        "invoice\u202Efdp.exe", "doc\u202A1", "doc\u202D1", "doc\u2066x\u2069", "doc\u2067", "doc\u200E", "doc\u200F", "doc\u061C",
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Report_DocumentIdWithAControl_Is400NamingDocumentIdInBothLanguages(string documentId)
    {
        using var english = await ReportAsync(documentId, null);
        using var portuguese = await ReportAsync(documentId, "pt-BR");

        Assert.Contains("control", (await english.AssertValidationProblemAsync("documentId"))[0], StringComparison.Ordinal);
        Assert.Contains("controle", (await portuguese.AssertValidationProblemAsync("documentId"))[0], StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Batch_DocumentIdWithAControl_ThatEventRefusedNamingDocumentIdOthersStored(string documentId)
    {
        using var admin = Api.CreateInternalClient();
        using var response = await admin.PostAsJsonAsync("/internal/document_events/batch", new
        {
            events = new[]
            {
                new { clientId = Integrator.ClientId, documentId, type = 0 },
                new { clientId = Integrator.ClientId, documentId = "doc-fine", type = 0 },
            },
        });

        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        var results = body.GetProperty("results");
        Assert.True(results[0].GetProperty("error").GetProperty("errors").TryGetProperty("documentId", out _), results[0].ToString());
        Assert.True(results[1].TryGetProperty("eventId", out _), results[1].ToString());
    }

    [Theory]
    [InlineData("doc-42")]
    [InlineData("nota fiscal nº 7")]
    [InlineData("ação/2024?x=1&y=2")]
    [InlineData("מסמך-1")]
    [InlineData("📄-1")]
    public async Task Report_VisibleTextInAnyScript_Is202(string documentId)
    {
        using var response = await ReportAsync(documentId, null);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    private async Task<HttpResponseMessage> ReportAsync(string documentId, string? language)
    {
        using var admin = Api.CreateInternalClient();
        if (language is not null)
        {
            admin.DefaultRequestHeaders.AcceptLanguage.ParseAdd(language);
        }

        return await admin.PostAsJsonAsync("/internal/document_events", new { clientId = Integrator.ClientId, documentId, type = 0 });
    }
}
