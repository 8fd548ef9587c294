using System.Net;
using System.Text.Json;

namespace CleanWebhooks.Api.Tests.Http;

/// <summary>Checks that an answer is an RFC 9457 problem, and reads it.</summary>
internal static class Problem
{
    public static async Task<JsonElement> AssertProblemAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonSerializer.Deserialize<JsonElement>(body);
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        foreach (var member in new[] { "type", "title", "detail" })
        {
            Assert.True(problem.TryGetProperty(member, out var value) && value.ValueKind == JsonValueKind.String
                && value.GetString()!.Length > 0, $"No '{member}' in {body}");
        }

        Assert.DoesNotContain("   at ", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
        return problem;
    }

    /// <summary>A 400 whose <c>errors</c> name <paramref name="field"/>; its messages are returned.</summary>
    public static async Task<string[]> AssertValidationProblemAsync(this HttpResponseMessage response, string field)
    {
        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        var errors = Errors(problem);
        Assert.True(errors.ContainsKey(field), $"No error on '{field}': {problem}");
        Assert.NotEmpty(errors[field]);
        return errors[field];
    }

    public static Dictionary<string, string[]> Errors(JsonElement problem)
    {
        Assert.True(problem.TryGetProperty("errors", out var errors), $"No 'errors' in {problem}");
        return errors.EnumerateObject().ToDictionary(e => e.Name, e => e.Value.EnumerateArray().Select(m => m.GetString()!).ToArray());
    }
}
