using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace CleanWebhooks.Api.Tests.Webhooks;

internal static class Payloads
{
    public const string Route = "/api_document/document_webhooks";

    /// <summary>
    /// The seed page's example request, value for value, without <c>authorization</c>: its example answer shows
    /// <c>"authorization": null</c> beside <c>authorizationUrl</c>, and the two exclude each other.
    /// </summary>
    public const string SeedRequest = """
        {
          "name": "Webhook 1",
          "type": 0,
          "method": "POST",
          "headers": {"Content-Type": "application/json"},
          "headerAuth": "Bearer",
          "url": "http://localhost:5000/ocr_feedback/:id",
          "authorizationUrl": "http://localhost:5000/login",
          "authorizationMethod": "POST",
          "authorizationHeaders": {"Content-Type": "application/x-www-form-urlencoded"},
          "authorizationBody": {"username": "root", "password": "root"},
          "authorizationResponseTokenAttr": "access_token"
        }
        """;

    /// <summary>A webhook with a fixed <c>authorization</c> (the seed table's example value).</summary>
    public const string FixedAuthorizationRequest = """
        {
          "name": "Fixed",
          "type": 0,
          "method": "PUT",
          "url": "https://example.com/hooks/:id",
          "headerAuth": "Bearer",
          "authorization": "Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJI..."
        }
        """;

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>The seed request with some members replaced (a null value removes the member).</summary>
    public static StringContent SeedWith(Action<JsonObject> change)
    {
        var seed = JsonNode.Parse(SeedRequest)!.AsObject();
        change(seed);
        return Json(seed.ToJsonString());
    }

    public static StringContent Raw(string body, string? mediaType)
    {
        var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = mediaType is null ? null : new MediaTypeHeaderValue(mediaType) { CharSet = "utf-8" };
        return content;
    }

    public static Uri WebhookUri(object id) => new($"{Route}/{id}", UriKind.Relative);

    public static readonly Uri WebhooksUri = new(Route, UriKind.Relative);
}
