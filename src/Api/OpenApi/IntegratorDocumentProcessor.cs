using System.Text.Json.Nodes;
using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Domain.Webhooks;
using NJsonSchema;
using NSwag;
using NSwag.Generation.Processors;
using NSwag.Generation.Processors.Contexts;

namespace CleanWebhooks.Api.OpenApi;

/// <summary>
/// Makes the document usable as is by generators outside .NET (openapi-typescript, openapi-generator, ...): what is
/// always in an answer is <c>required</c>, nullable values have a type, errors are <c>application/problem+json</c>
/// problems, <c>method</c> and delivery <c>status</c> are enums, ids are <c>uuid</c>, and the create request shows
/// the seed's webhook as its example.
/// </summary>
public sealed class IntegratorDocumentProcessor : IDocumentProcessor
{
    public const string ProblemJson = "application/problem+json";

    /// <summary>The request fields without which a request is refused; every other request field may be left out.</summary>
    private static readonly Dictionary<string, string[]> RequiredRequestFields = new(StringComparer.Ordinal)
    {
        ["CreateWebhookRequest"] = ["name", "type", "method", "url"],
        ["ReportDocumentEventRequest"] = ["clientId", "documentId", "type"],
        ["CreateClientRequest"] = ["name"],
        ["ReportDocumentEventBatchRequest"] = ["events"],
        ["DocumentEventBatchItem"] = ["clientId", "documentId", "type"],
        ["SetWebhookLimitsRequest"] = [],
        ["RecoverDeliveriesRequest"] = ["since"],
    };

    /// <summary>
    /// The answer fields that may be left out: a batch result is a receipt (<c>eventId</c>, <c>deliveryId</c>, which is
    /// null without a webhook) or <c>error</c> alone.
    /// </summary>
    private static readonly Dictionary<string, string[]> OptionalAnswerFields = new(StringComparer.Ordinal)
    {
        ["DocumentEventBatchResult"] = ["eventId", "deliveryId", "error"],
    };

    /// <summary>The seed's example webhook (the seed page's request, which uses the token flow).</summary>
    public const string SeedWebhookExample = """
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

    public void Process(DocumentProcessorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var document = context.Document;
        var schemas = document.Components.Schemas;

        var method = new JsonSchema { Type = JsonObjectType.String, Description = "The HTTP method of the delivery request." };
        foreach (var m in WebhookRules.Methods)
        {
            method.Enumeration.Add(m);
        }

        var status = new JsonSchema { Type = JsonObjectType.String, Description = "Where a delivery stands." };
        foreach (var s in Enum.GetValues<DeliveryStatus>())
        {
            status.Enumeration.Add(s.ToText());
        }

        var webhookStatus = new JsonSchema { Type = JsonObjectType.String, Description = "Whether deliveries are sent to the webhook (disabled after failing for Delivery:DisableAfter)." };
        foreach (var s in Enum.GetValues<WebhookStatus>())
        {
            webhookStatus.Enumeration.Add(s.ToText());
        }

        schemas["WebhookMethod"] = method;
        schemas["DeliveryStatus"] = status;
        schemas["WebhookStatus"] = webhookStatus;

        foreach (var (name, schema) in schemas.ToList())
        {
            if (name is "WebhookMethod" or "DeliveryStatus" or "WebhookStatus")
            {
                continue;
            }

            Refer(schema, "method", method);
            Refer(schema, "status", name == "WebhookResponse" ? webhookStatus : status);
            if (RequiredRequestFields.TryGetValue(name, out var required))
            {
                foreach (var (field, property) in schema.Properties)
                {
                    // Every other field may be left out (a nullable value type would otherwise be listed as required).
                    property.IsRequired = required.Contains(field);
                    if (property.IsRequired)
                    {
                        property.IsNullableRaw = null;
                    }
                }
            }
            else if (name is not "ProblemDetails" and not "HttpValidationProblemDetails")
            {
                // Answers: every property is always there (null when it has no value).
                var optional = OptionalAnswerFields.GetValueOrDefault(name) ?? [];
                foreach (var (field, property) in schema.Properties)
                {
                    property.IsRequired = !optional.Contains(field);
                    if (!property.IsRequired && property.OneOf.Count == 1 && property.OneOf.First().Reference is { } target)
                    {
                        // Left out when absent, never null: a plain reference.
                        property.OneOf.Clear();
                        property.IsNullableRaw = null;
                        property.Reference = target;
                    }
                }
            }
        }

        DescribeProblems(schemas);
        if (schemas.TryGetValue("SetWebhookLimitsRequest", out var limits))
        {
            Range(limits, "maxInFlight", WebhookLimits.MaxInFlightCeiling);
            Range(limits, "maxPerSecond", WebhookLimits.MaxPerSecondCeiling);
        }

        foreach (var schema in schemas.Values)
        {
            Visit(schema, []);
        }

        foreach (var operation in document.Operations)
        {
            foreach (var parameter in operation.Operation.Parameters.Where(p => p.Schema is not null))
            {
                Visit(parameter.Schema, []);
            }

            foreach (var (code, response) in operation.Operation.Responses)
            {
                if (string.IsNullOrEmpty(response.Description))
                {
                    response.Description = code.StartsWith('2') ? "Success." : "";
                }

                if (int.TryParse(code, out var statusCode) && statusCode >= 400)
                {
                    var schema = response.Content.Values.FirstOrDefault()?.Schema ?? new JsonSchema { Reference = schemas["ProblemDetails"] };
                    response.Content.Clear();
                    response.Content[ProblemJson] = new OpenApiMediaType { Schema = schema };
                    response.Description = string.IsNullOrEmpty(response.Description) ? "A problem (RFC 9457)." : response.Description;
                }
            }

            if (operation.Operation.OperationId == "CreateWebhook" && operation.Operation.RequestBody?.Content.TryGetValue("application/json", out var body) == true)
            {
                body.Example = Newtonsoft.Json.Linq.JToken.Parse(SeedWebhookExample);
            }
        }
    }

    /// <summary>The contract's problem shape: <c>type</c>, <c>title</c>, <c>status</c> and <c>detail</c> always; extensions such as <c>code</c>, <c>traceId</c>.</summary>
    private static void DescribeProblems(IDictionary<string, JsonSchema> schemas)
    {
        if (schemas.TryGetValue("ProblemDetails", out var problem))
        {
            problem.Description = "An RFC 9457 problem. Extensions: code (a stable error code, when there is one), traceId.";
            problem.AdditionalPropertiesSchema = new JsonSchema();
            foreach (var field in new[] { "type", "title", "status", "detail" })
            {
                problem.Properties[field].IsRequired = true;
                problem.Properties[field].IsNullableRaw = null;
            }
        }

        if (schemas.TryGetValue("HttpValidationProblemDetails", out var validation))
        {
            validation.Description = "A 400 problem whose errors are keyed by the request field (camelCase) they are about.";
            foreach (var part in validation.AllOf.Where(p => p.Properties.ContainsKey("errors")))
            {
                part.AdditionalPropertiesSchema = new JsonSchema();
                part.Properties["errors"].IsRequired = true;
            }
        }
    }

    /// <summary>A limit's range, 1 to <paramref name="maximum"/> (null: no limit).</summary>
    private static void Range(JsonSchema schema, string property, int maximum)
    {
        var value = schema.Properties[property];
        value.Minimum = 1;
        value.Maximum = maximum;
    }

    private static void Refer(JsonSchema schema, string property, JsonSchema target)
    {
        if (schema.Properties.TryGetValue(property, out var value) && value.Type.HasFlag(JsonObjectType.String))
        {
            value.Type = JsonObjectType.None;
            value.Format = null;
            value.IsNullableRaw = null;
            value.Reference = target;
        }
    }

    /// <summary><c>uuid</c> for ids, and no <c>nullable</c> on a schema without a type (it means any value, null included).</summary>
    private static void Visit(JsonSchema? schema, HashSet<JsonSchema> seen)
    {
        if (schema is null || !seen.Add(schema))
        {
            return;
        }

        if (schema.Format == JsonFormatStrings.Guid)
        {
            schema.Format = "uuid";
        }

        if (schema.Type == JsonObjectType.None && schema.Reference is null && schema.HasReference is false && schema.IsNullableRaw == true)
        {
            schema.IsNullableRaw = null;
        }

        foreach (var child in schema.Properties.Values)
        {
            Visit(child, seen);
        }

        foreach (var child in schema.AllOf.Concat(schema.OneOf).Concat(schema.AnyOf))
        {
            Visit(child, seen);
        }

        Visit(schema.Item, seen);
        Visit(schema.AdditionalPropertiesSchema, seen);
    }
}
