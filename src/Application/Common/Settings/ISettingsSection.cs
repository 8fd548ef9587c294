namespace CleanWebhooks.Application.Common.Settings;

/// <summary>
/// A configuration section that says, before the service starts, which of its settings cannot work. Each section's
/// rules live in its own class, in the project that owns the section.
/// </summary>
public interface ISettingsSection
{
    /// <summary>
    /// Each setting that cannot work, as a sentence that starts with its key and says what it got (never a secret's
    /// value), e.g. <c>Delivery:Timeout must be positive (got 00:00:00).</c>
    /// </summary>
    IEnumerable<string> Problems();
}

public static class SettingsSections
{
    /// <summary>The section, when every setting in it can work; otherwise throws, listing every problem at once.</summary>
    public static T Checked<T>(this T section)
        where T : ISettingsSection
    {
        ArgumentNullException.ThrowIfNull(section);
        var problems = section.Problems().ToList();
        return problems.Count == 0
            ? section
            : throw new InvalidOperationException(
                "The service cannot start with these settings:" + string.Concat(problems.Select(p => Environment.NewLine + "- " + p)));
    }

    /// <summary>A problem, when <paramref name="value"/> is not positive.</summary>
    public static string? Positive(string key, TimeSpan value) => value > TimeSpan.Zero ? null : $"{key} must be positive (got {value}).";

    /// <summary>A problem, when <paramref name="value"/> is below <paramref name="least"/>.</summary>
    public static string? AtLeast(string key, int value, int least) => value >= least ? null : $"{key} must be at least {least} (got {value}).";
}
