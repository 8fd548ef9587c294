using CleanWebhooks.Application.Common.Settings;

namespace CleanWebhooks.Application.Portal;

/// <summary>The integrator portal's settings (section <c>Portal</c>).</summary>
public sealed class PortalOptions : ISettingsSection
{
    public const string SectionName = "Portal";

    /// <summary>How long a session (its link, then its cookie) lasts.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The CSP <c>frame-ancestors</c> sources allowed to embed the portal, e.g. <c>https://dashboard.example.com</c>.</summary>
    public string FrameAncestors { get; set; } = "'none'";

    /// <summary>Each setting that cannot work, named by its key.</summary>
    public IEnumerable<string> Problems()
    {
        string?[] problems =
        [
            SettingsSections.Positive("Portal:SessionLifetime", SessionLifetime),
            string.IsNullOrWhiteSpace(FrameAncestors) || FrameAncestors.IndexOfAny([';', ',', '\r', '\n']) >= 0
                ? "Portal:FrameAncestors must be CSP frame-ancestors sources separated by spaces, e.g. 'none' or https://dashboard.example.com " +
                  "(no ';', ',' or line break: it goes into the Content-Security-Policy header as it is)."
                : null,
        ];
        return problems.OfType<string>();
    }
}
