namespace CleanWebhooks.Testing;

/// <summary>Files of the repository the tests run from (found by walking up to <c>CleanWebhooks.sln</c>).</summary>
public static class RepositoryFiles
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "CleanWebhooks.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No CleanWebhooks.sln above {AppContext.BaseDirectory}.");
    });

    /// <summary>The absolute path of <paramref name="relativePath"/> (with '/' separators) in the repository.</summary>
    public static string PathOf(string relativePath) =>
        Path.Combine([Root.Value, .. relativePath.Split('/')]);

    public static string ReadText(string relativePath) =>
        File.ReadAllText(PathOf(relativePath)).ReplaceLineEndings("\n");
}
