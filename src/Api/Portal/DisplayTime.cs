using System.Globalization;

namespace CleanWebhooks.Api.Portal;

/// <summary>Times as the portal shows them: in the display time zone (<c>Api:TimeZone</c>), to the second, with the offset.</summary>
public sealed class DisplayTime(TimeZoneInfo zone)
{
    /// <summary>The form of a <c>datetime-local</c> input's value: a wall-clock time without offset.</summary>
    private const string LocalInput = "yyyy-MM-dd'T'HH:mm";

    public TimeZoneInfo Zone { get; } = zone;

    public string Format(DateTimeOffset? value) =>
        value is { } time ? TimeZoneInfo.ConvertTime(time, Zone).ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture) : "—";

    /// <summary>The hour only, e.g. <c>14:00</c>, for the chart's labels.</summary>
    public string Hour(DateTimeOffset value) => TimeZoneInfo.ConvertTime(value, Zone).ToString("HH:mm", CultureInfo.InvariantCulture);

    /// <summary>A time as a <c>datetime-local</c> input shows it, in the display time zone.</summary>
    public string Input(DateTimeOffset value) => TimeZoneInfo.ConvertTime(value, Zone).ToString(LocalInput, CultureInfo.InvariantCulture);

    /// <summary>
    /// A <c>datetime-local</c> input's value (seconds optional) read as a wall-clock time of the display time zone, or
    /// null when it is not one. A time skipped by a daylight-saving change counts as the moment after the change.
    /// </summary>
    public DateTimeOffset? ParseInput(string? value)
    {
        if (!DateTime.TryParseExact(value, [LocalInput, LocalInput + ":ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            return null;
        }

        while (Zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(15);
        }

        return new DateTimeOffset(local, Zone.GetUtcOffset(local));
    }
}
