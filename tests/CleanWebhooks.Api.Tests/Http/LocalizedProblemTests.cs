using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Reflection;
using CleanWebhooks.Api.Http;
using CleanWebhooks.Application.Common.Localization;
using CleanWebhooks.Domain.Common;
using CleanWebhooks.Testing;
using static CleanWebhooks.Api.Tests.Webhooks.Payloads;

namespace CleanWebhooks.Api.Tests.Http;

/// <summary>Contract section 7: every problem answer in English, or in Brazilian Portuguese when the caller prefers any pt.</summary>
public sealed class LocalizedProblemTests(ApiFactory api) : IntegratorTests(api)
{
    public static TheoryData<string, string, string> Languages => new()
    {
        { "pt-BR", "Não autorizado", "É necessário um cabeçalho X-API-KEY válido." },
        { "pt", "Não autorizado", "É necessário um cabeçalho X-API-KEY válido." },
        { "pt-PT", "Não autorizado", "É necessário um cabeçalho X-API-KEY válido." },
        { "fr-FR, pt;q=0.8, en;q=0.5", "Não autorizado", "É necessário um cabeçalho X-API-KEY válido." },
        { "en-US, pt;q=0.5", "Unauthorized", "A valid X-API-KEY header is required." },
        { "de", "Unauthorized", "A valid X-API-KEY header is required." },
        { "", "Unauthorized", "A valid X-API-KEY header is required." },
    };

    [Theory]
    [MemberData(nameof(Languages))]
    public async Task List_NoKey_401InTheCallersLanguage(string acceptLanguage, string title, string detail)
    {
        using var http = Api.CreateClient();

        using var response = await SendAsync(http, new HttpRequestMessage(HttpMethod.Get, WebhooksUri), acceptLanguage);

        var problem = await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(title, problem.GetProperty("title").GetString());
        Assert.Equal(detail, problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Internal_NoKey_401InPortuguese()
    {
        using var http = Api.CreateClient();

        using var response = await SendAsync(http, new HttpRequestMessage(HttpMethod.Post, "/internal/clients") { Content = Json("""{"name": "x"}""") }, "pt");

        var problem = await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal("É necessário um cabeçalho X-INTERNAL-KEY válido.", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Get_UnknownWebhook_404InPortuguese()
    {
        using var response = await SendAsync(Integrator.Http, new HttpRequestMessage(HttpMethod.Get, WebhookUri(Guid.NewGuid())), "pt");

        var problem = await response.AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal("Não encontrado", problem.GetProperty("title").GetString());
        Assert.Equal("O webhook não existe.", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task UnknownRoute_404InPortuguese()
    {
        using var response = await SendAsync(Integrator.Http, new HttpRequestMessage(HttpMethod.Get, "/api_document/nothing_here"), "pt-BR");

        var problem = await response.AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal("Não encontrado", problem.GetProperty("title").GetString());
        Assert.Equal("Recurso inexistente.", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task WrongMethod_405InPortuguese()
    {
        using var response = await SendAsync(Integrator.Http, new HttpRequestMessage(HttpMethod.Put, WebhooksUri) { Content = Json("{}") }, "pt-BR");

        var problem = await response.AssertProblemAsync(HttpStatusCode.MethodNotAllowed);
        Assert.Equal("Método não permitido", problem.GetProperty("title").GetString());
        Assert.Equal("O recurso não aceita este método.", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Create_SecondOfTheSameType_409InPortuguese()
    {
        using var first = await Integrator.Http.PostAsync(WebhooksUri, Json(SeedRequest));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        using var response = await SendAsync(Integrator.Http, new HttpRequestMessage(HttpMethod.Post, WebhooksUri) { Content = Json(SeedRequest) }, "pt");

        var problem = await response.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal("Conflito", problem.GetProperty("title").GetString());
        Assert.StartsWith("Já existe um webhook deste tipo.", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_BodyTooLarge_413InPortuguese()
    {
        var large = SeedRequest.Replace("\"Webhook 1\"", $"\"{new string('x', RequestBodyLimit.MaxBytes)}\"", StringComparison.Ordinal);

        using var response = await SendAsync(Integrator.Http, new HttpRequestMessage(HttpMethod.Post, WebhooksUri) { Content = Json(large) }, "pt");

        var problem = await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal("Conteúdo grande demais", problem.GetProperty("title").GetString());
        Assert.Equal("O corpo da requisição tem mais de 64 KB.", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Create_NotJson_415InPortuguese()
    {
        using var response = await SendAsync(
            Integrator.Http, new HttpRequestMessage(HttpMethod.Post, WebhooksUri) { Content = Raw(SeedRequest, "text/plain") }, "pt");

        var problem = await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
        Assert.Equal("Tipo de mídia não suportado", problem.GetProperty("title").GetString());
        Assert.StartsWith("O corpo da requisição deve ser JSON", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_Invalid_400InPlainPt()
    {
        using var response = await SendAsync(
            Integrator.Http, new HttpRequestMessage(HttpMethod.Post, WebhooksUri) { Content = SeedWith(seed => seed["method"] = "PATCH") }, "pt");

        Assert.Equal(["O método deve ser POST, PUT, GET ou DELETE."], await response.AssertValidationProblemAsync("method"));
    }

    [Theory]
    [InlineData(429, "Requisições demais", "Too Many Requests")]
    [InlineData(503, "Serviço indisponível", "Service Unavailable")]
    public void Create_StatusesOtherEngineersAnswer_TitledInTheCurrentLanguage(int status, string portuguese, string english)
    {
        var before = CultureInfo.CurrentUICulture;
        try
        {
            CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("pt-BR");
            var problem = Problems.Create(status);
            Assert.Equal(portuguese, problem.Title);
            Assert.Contains("Retry-After", problem.Detail, StringComparison.Ordinal);

            CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("en");
            Assert.Equal(english, Problems.Create(status, "detail").Title);
        }
        finally
        {
            CultureInfo.CurrentUICulture = before;
        }
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient http, HttpRequestMessage request, string acceptLanguage)
    {
        if (acceptLanguage.Length > 0)
        {
            request.Headers.TryAddWithoutValidation("Accept-Language", acceptLanguage);
        }

        return http.SendAsync(request);
    }
}

/// <summary>The catalogue of problem and portal texts and the domain's error catalogues: every text in both languages.</summary>
public sealed class ProblemCatalogueTests
{
    public static TheoryData<string> Catalogues => ["problems", "portal", "health"];

    [Theory]
    [MemberData(nameof(Catalogues))]
    public void Catalogue_EveryEntry_HasEnglishAndPortuguese(string catalogue)
    {
        var entries = (catalogue switch { "portal" => PortalTexts.All(), "health" => HealthTexts.All(), _ => ProblemTexts.All() }).ToList();

        Assert.True(entries.Count >= 10, $"Only {entries.Count} texts found in the {catalogue} catalogue");
        Assert.All(entries, e =>
        {
            Assert.False(string.IsNullOrWhiteSpace(e.Text.English), $"{e.Key} has no English text");
            Assert.False(string.IsNullOrWhiteSpace(e.Text.Portuguese), $"{e.Key} has no Portuguese text");
            Assert.NotEqual(e.Text.English, e.Text.Portuguese);
            Assert.Equal(Placeholders(e.Text.English), Placeholders(e.Text.Portuguese));
        });
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(404)]
    [InlineData(405)]
    [InlineData(409)]
    [InlineData(413)]
    [InlineData(415)]
    [InlineData(429)]
    [InlineData(503)]
    public void ProblemTexts_EveryStatusOfTheContract_HasTitleAndDetail(int status)
    {
        Assert.NotNull(ProblemTexts.Title(status));
        Assert.NotNull(ProblemTexts.Detail(status));
    }

    [Fact]
    public void DomainErrors_EveryCatalogueEntry_HasPortuguese()
    {
        var errors = typeof(Error).Assembly.GetTypes()
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static))
            .Where(f => typeof(Error).IsAssignableFrom(f.FieldType))
            .Select(f => (Name: $"{f.DeclaringType!.Name}.{f.Name}", Error: (Error)f.GetValue(null)!))
            .ToList();

        Assert.True(errors.Count > 20, $"Only {errors.Count} domain errors found");
        Assert.All(errors, e => Assert.False(string.IsNullOrWhiteSpace(e.Error.Portuguese), $"{e.Name} ({e.Error.Code}) has no Portuguese text"));
    }

    private static string Placeholders(string text) =>
        string.Concat(System.Text.RegularExpressions.Regex.Matches(text, @"\{\d+\}").Select(m => m.Value).Order(StringComparer.Ordinal));
}
