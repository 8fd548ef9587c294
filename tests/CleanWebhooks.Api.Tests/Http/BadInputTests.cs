using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using CleanWebhooks.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using static CleanWebhooks.Api.Tests.Webhooks.Payloads;

namespace CleanWebhooks.Api.Tests.Http;

/// <summary>Whatever a client sends, the answer is a 4xx problem naming what is wrong, never a 500.</summary>
public sealed class BadInputTests(ApiFactory api) : IntegratorTests(api)
{
    [Theory]
    [InlineData("""{"name": "Webhook 1", "type": """)]
    [InlineData("""{"name": "Webhook 1",, "type": 0}""")]
    [InlineData("""{name: 'Webhook 1'}""")]
    [InlineData("""not json at all""")]
    [InlineData("""{"name": "Webhook 1"} trailing""")]
    public async Task Create_MalformedJson_Is400WithErrors(string body)
    {
        using var response = await Http.PostAsync(WebhooksUri, Raw(body, "application/json"));

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(Problem.Errors(problem));
    }

    [Theory]
    [InlineData("type", "\"zero\"")]
    [InlineData("type", "1.5")]
    [InlineData("type", "99999999999")]
    [InlineData("type", "{}")]
    [InlineData("name", "42")]
    [InlineData("method", "[\"POST\"]")]
    [InlineData("url", "true")]
    [InlineData("headers", "[\"Content-Type: application/json\"]")]
    [InlineData("headers", "\"Content-Type: application/json\"")]
    [InlineData("authorizationHeaders", "[]")]
    public async Task Create_FieldOfTheWrongJsonType_Is400OnThatField(string field, string json)
    {
        using var response = await Http.PostAsync(WebhooksUri, SeedWith(seed => seed[field] = JsonNode.Parse(json)));

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        var errors = Problem.Errors(problem);
        Assert.True(errors.Keys.Any(k => k == field || k.StartsWith(field + ".", StringComparison.Ordinal) || k.StartsWith(field + "[", StringComparison.Ordinal)),
            $"No error on '{field}': {problem}");
    }

    [Fact]
    public async Task Create_HeaderValueNotAString_Is400OnHeaders()
    {
        using var response = await Http.PostAsync(WebhooksUri, SeedWith(seed => seed["headers"] = JsonNode.Parse("""{"X-Retries": 3}""")));

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains(Problem.Errors(problem).Keys, k => k.StartsWith("headers", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ListDeliveries_LimitNotANumber_Is400OnLimit()
    {
        using var created = await Http.PostAsync(WebhooksUri, SeedWith(_ => { }));
        var webhook = await created.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();

        using var response = await Http.GetAsync($"{WebhooksUri}/{webhook.GetProperty("id").GetGuid()}/deliveries?limit=abc");

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("limit", Problem.Errors(problem).Keys);
    }

    [Fact]
    public async Task Create_BodyOver64KB_Is413Problem()
    {
        using var response = await Http.PostAsync(WebhooksUri, SeedWith(seed => seed["name"] = new string('n', 70 * 1024)));

        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Create_BodyOver64KBOfUndeclaredLength_Is413Problem()
    {
        // No Content-Length (a chunked upload): the limit has to be enforced while the body is read.
        var json = await SeedWith(seed => seed["name"] = new string('n', 70 * 1024)).ReadAsStringAsync();

        var context = await SendWithoutContentLengthAsync(Integrator.ApiKey, json);

        Assert.Equal(StatusCodes.Status413PayloadTooLarge, context.Response.StatusCode);
        Assert.Equal("application/problem+json", context.Response.ContentType);
    }

    [Fact]
    public async Task Create_SmallBodyOfUndeclaredLength_IsAccepted()
    {
        using var other = await Api.CreateIntegratorAsync();

        var context = await SendWithoutContentLengthAsync(other.ApiKey, SeedRequest);

        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/xml")]
    [InlineData("application/x-www-form-urlencoded")]
    public async Task Create_NotJsonContentType_Is415Problem(string mediaType)
    {
        using var response = await Http.PostAsync(WebhooksUri, Raw(SeedRequest, mediaType));

        await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task Create_NoContentType_Is415Problem()
    {
        using var response = await Http.PostAsync(WebhooksUri, Raw(SeedRequest, null));

        await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("0")]
    [InlineData("\"webhook\"")]
    public async Task Create_BodyThatIsNoObject_Is400OnBody(string body)
    {
        using var response = await Http.PostAsync(WebhooksUri, Raw(body, "application/json"));

        await response.AssertValidationProblemAsync("body");
    }

    [Fact]
    public async Task Create_EmptyObject_Is400OnEveryRequiredField()
    {
        using var response = await Http.PostAsync(WebhooksUri, Json("{}"));

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Superset(new HashSet<string> { "name", "type", "method", "url" }, Problem.Errors(problem).Keys.ToHashSet());
    }

    [Fact]
    public async Task Create_PortugueseAcceptLanguage_AnswersInPortuguese()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, WebhooksUri)
        {
            Content = SeedWith(seed =>
            {
                seed["name"] = "";
                seed["method"] = "PATCH";
                seed["url"] = "http://localhost:5000/ocr_feedback/";
            }),
        };
        request.Headers.AcceptLanguage.Add(new StringWithQualityHeaderValue("pt-BR"));

        using var response = await Http.SendAsync(request);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        var errors = Problem.Errors(problem);
        Assert.Equal("Um ou mais campos são inválidos.", problem.GetProperty("detail").GetString());
        Assert.Equal(["'name' deve ser informado."], errors["name"]);
        Assert.Equal(["O método deve ser POST, PUT, GET ou DELETE."], errors["method"]);
        Assert.Equal(["A url deve conter o parâmetro ':id', onde é enviado o id do documento."], errors["url"]);
    }

    [Fact]
    public async Task Create_PortugueseAcceptLanguageAndMalformedJson_AnswersInPortuguese()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, WebhooksUri) { Content = Raw("{\"name\": ", "application/json") };
        request.Headers.AcceptLanguage.Add(new StringWithQualityHeaderValue("pt-BR"));

        using var response = await Http.SendAsync(request);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal("Um ou mais campos são inválidos.", problem.GetProperty("detail").GetString());
        Assert.All(Problem.Errors(problem).Values.SelectMany(m => m), m => Assert.StartsWith("O ", m, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Create_EnglishAcceptLanguage_AnswersInEnglish()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, WebhooksUri) { Content = SeedWith(seed => seed["method"] = "PATCH") };
        request.Headers.AcceptLanguage.Add(new StringWithQualityHeaderValue("en-US"));

        using var response = await Http.SendAsync(request);

        Assert.Equal(["The method must be one of POST, PUT, GET, DELETE."], await response.AssertValidationProblemAsync("method"));
    }

    [Fact]
    public async Task Get_UnknownRoute_Is404Problem()
    {
        using var response = await Http.GetAsync(new Uri("/api_document/nothing_here", UriKind.Relative));

        await response.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Put_OnTheCollection_Is405Problem()
    {
        using var response = await Http.PutAsync(WebhooksUri, Json(SeedRequest));

        await response.AssertProblemAsync(HttpStatusCode.MethodNotAllowed);
    }

    [Fact]
    public async Task Create_Utf8WithoutCharset_IsAccepted()
    {
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(SeedRequest.Replace("Webhook 1", "Ação 1", StringComparison.Ordinal)));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var other = await Api.CreateIntegratorAsync();

        using var response = await other.Http.PostAsync(WebhooksUri, content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Ação 1", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>
    /// Sends a body without Content-Length straight to the test server (HttpClient through TestServer would buffer
    /// the body and declare its length).
    /// </summary>
    private Task<HttpContext> SendWithoutContentLengthAsync(string apiKey, string json) =>
        Api.Server.SendAsync(context =>
        {
            context.Request.Method = HttpMethods.Post;
            context.Request.Path = Route;
            context.Request.Headers["X-API-KEY"] = apiKey;
            context.Request.Headers.TransferEncoding = "chunked";
            context.Request.ContentType = "application/json";
            context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(json));
            context.Features.Set<IHttpRequestBodyDetectionFeature>(new HasBody());
        });

    private sealed class HasBody : IHttpRequestBodyDetectionFeature
    {
        public bool CanHaveBody => true;
    }
}
