using CleanWebhooks.Testing;

namespace CleanWebhooks.Portal.Tests;

/// <summary>
/// The portal's words come from the catalogue (<c>PortalTexts</c>, beside the API's <c>ProblemTexts</c>), where a test
/// checks that each has both languages: a page or a portal helper that picks between two strings of its own escapes it.
/// </summary>
public sealed class PortalCatalogueTests
{
    [Fact]
    public void PortalSources_Always_TakeTheirWordsFromTheCatalogue()
    {
        var sources = new[] { "src/Api/Pages/Portal", "src/Api/Portal" }
            .SelectMany(folder => Directory.EnumerateFiles(RepositoryFiles.PathOf(folder), "*.*", SearchOption.AllDirectories))
            .Where(file => file.EndsWith(".cs", StringComparison.Ordinal) || file.EndsWith(".cshtml", StringComparison.Ordinal))
            .ToList();

        Assert.True(sources.Count > 10, $"Only {sources.Count} portal sources found");
        Assert.All(sources, file => Assert.DoesNotContain("Text.Pick(", File.ReadAllText(file), StringComparison.Ordinal));
    }
}
