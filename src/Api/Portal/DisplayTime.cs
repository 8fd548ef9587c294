using System.Globalization;

namespace CleanWebhooks.Api.Portal;

/// <summary>Times as the portal shows them: in the display time zone (<c>Api:TimeZone</c>), to the second, with the offset.</summary>
public sealed class DisplayTime(TimeZoneInfo zone)
{
    public TimeZoneInfo Zone { get; } = zone;

    public string Format(DateTimeOffset? value) =>
        value is { } time ? TimeZoneInfo.ConvertTime(time, Zone).ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture) : "—";

    /// <summary>The hour only, e.g. <c>14:00</c>, for the chart's labels.</summary>
    public string Hour(DateTimeOffset value) => TimeZoneInfo.ConvertTime(value, Zone).ToString("HH:mm", CultureInfo.InvariantCulture);
}
