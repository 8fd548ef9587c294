using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace CleanWebhooks.Api.Http;

/// <summary>
/// Writes timestamps as the seed page shows them: ISO 8601 with microseconds, in the display time zone
/// (<c>Api:TimeZone</c>), e.g. <c>2024-04-11T14:12:33.741194-03:00</c>. Stored values stay UTC. Reads only timestamps
/// that say their offset (<c>Z</c> or <c>±hh:mm</c>; the fraction optional): a time without one would mean whatever
/// the server's own zone is.
/// </summary>
public sealed partial class DisplayTimeJsonConverter(TimeZoneInfo zone) : JsonConverter<DateTimeOffset>
{
    public const string Format = "yyyy-MM-dd'T'HH:mm:ss.ffffffzzz";

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String || !WithOffset().IsMatch(reader.GetString()!) || !reader.TryGetDateTimeOffset(out var value))
        {
            throw new JsonException("A timestamp must be ISO 8601 with an offset (Z or ±hh:mm).");
        }

        return value;
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?(Z|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex WithOffset();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Span<char> buffer = stackalloc char[40];
        TimeZoneInfo.ConvertTime(value, zone).TryFormat(buffer, out var written, Format, CultureInfo.InvariantCulture);
        writer.WriteStringValue(buffer[..written]);
    }
}
