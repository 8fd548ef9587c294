using System.Text.Json.Nodes;
using CleanWebhooks.Testing;

namespace CleanWebhooks.Client.Tests;

/// <summary>
/// The client is generated from <c>src/Client/openapi.json</c>; this keeps that snapshot equal to what the API serves.
/// With <c>CLEANWEBHOOKS_UPDATE_OPENAPI=1</c> the test rewrites the snapshot instead of failing.
/// </summary>
public sealed class OpenApiSnapshotTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    public const string SnapshotPath = "src/Client/openapi.json";
    public const string RefreshCommand = "CLEANWEBHOOKS_UPDATE_OPENAPI=1 dotnet test tests/CleanWebhooks.Client.Tests --filter OpenApiSnapshot";

    [Fact]
    public async Task ServedDocument_ComparedWithCommittedSnapshot_IsEqual()
    {
        using var http = factory.CreateClient();
        var served = (await http.GetStringAsync(new Uri("/swagger/v1/swagger.json", UriKind.Relative))).ReplaceLineEndings("\n").TrimEnd() + "\n";

        if (Environment.GetEnvironmentVariable("CLEANWEBHOOKS_UPDATE_OPENAPI") == "1")
        {
            await File.WriteAllTextAsync(RepositoryFiles.PathOf(SnapshotPath), served);
            return;
        }

        var snapshot = JsonNode.Parse(RepositoryFiles.ReadText(SnapshotPath));
        Assert.True(
            JsonNode.DeepEquals(JsonNode.Parse(served), snapshot),
            $"{SnapshotPath} differs from the OpenAPI document the API serves, so the generated client is stale. "
            + $"Refresh it from the repository root with:{Environment.NewLine}    {RefreshCommand}{Environment.NewLine}"
            + "then rebuild (the client regenerates) and commit the snapshot.");
    }
}
