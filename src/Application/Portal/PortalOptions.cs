namespace CleanWebhooks.Application.Portal;

/// <summary>The integrator portal's settings (section <c>Portal</c>).</summary>
public sealed class PortalOptions
{
    public const string SectionName = "Portal";

    /// <summary>How long a session (its link, then its cookie) lasts.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The CSP <c>frame-ancestors</c> sources allowed to embed the portal, e.g. <c>https://dashboard.example.com</c>.</summary>
    public string FrameAncestors { get; set; } = "'none'";
}
