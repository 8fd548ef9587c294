using CleanWebhooks.Application.Common.Settings;

namespace CleanWebhooks.Infrastructure.Retention;

/// <summary>The <c>Retention</c> configuration section.</summary>
public sealed class RetentionOptions : ISettingsSection
{
    public const string SectionName = "Retention";

    /// <summary>How long ended deliveries (with their attempts) and events are kept. Any positive period.</summary>
    public TimeSpan Period { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often a purge runs.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The most rows deleted per transaction: small, so that intake and delivery get the database between batches.</summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>
    /// How long one purge transaction may hold the database's writer: fewer rows go per transaction when a batch takes
    /// longer, so that intake and delivery never wait for a purge much longer than this.
    /// </summary>
    public TimeSpan BatchTime { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Run the purge in this process (on by default; several nodes running it at once is safe).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Each setting that cannot work, named by its key (checked at start-up rather than at the first purge).</summary>
    public IEnumerable<string> Problems()
    {
        string?[] problems =
        [
            SettingsSections.Positive("Retention:Period", Period),
            SettingsSections.Positive("Retention:Interval", Interval),
            SettingsSections.Positive("Retention:BatchTime", BatchTime),
            BatchSize is < 1 or > 1000 ? $"Retention:BatchSize must be from 1 to 1000 (got {BatchSize})." : null,
        ];
        return problems.OfType<string>();
    }
}
