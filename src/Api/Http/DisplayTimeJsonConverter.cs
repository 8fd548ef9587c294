using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CleanWebhooks.Api.Http;

/// <summary>
/// Writes timestamps as the seed page shows them: ISO 8601 with microseconds, in the display time zone
/// (<c>Api:TimeZone</c>), e.g. <c>2024-04-11T14:12:33.741194-03:00</c>. Stored values stay UTC.
/// </summary>
public sealed class DisplayTimeJsonConverter(TimeZoneInfo zone) : JsonConverter<DateTimeOffset>
{
    public const string Format = "yyyy-MM-dd'T'HH:mm:ss.ffffffzzz";

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Span<char> buffer = stackalloc char[40];
        TimeZoneInfo.ConvertTime(value, zone).TryFormat(buffer, out var written, Format, CultureInfo.InvariantCulture);
        writer.WriteStringValue(buffer[..written]);
    }
}
