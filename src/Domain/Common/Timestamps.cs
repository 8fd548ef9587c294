namespace CleanWebhooks.Domain.Common;

public static class Timestamps
{
    /// <summary>Timestamps are stored and shown with microseconds; dropping the rest up front keeps what is returned equal to what is read back.</summary>
    public static DateTimeOffset TruncatedToMicroseconds(this DateTimeOffset value) =>
        new(value.Ticks - (value.Ticks % 10), value.Offset);
}
