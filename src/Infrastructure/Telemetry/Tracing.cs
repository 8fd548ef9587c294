using System.Diagnostics;
using System.Reflection;

namespace CleanWebhooks.Infrastructure.Telemetry;

/// <summary>
/// The service's own spans (ActivitySource <c>CleanWebhooks</c>): delivery attempts, token fetches and database
/// statements. Nothing is recorded unless a listener (OpenTelemetry, when configured) subscribes.
/// </summary>
public static class Tracing
{
    public const string SourceName = "CleanWebhooks";

    internal static readonly ActivitySource Source = new(
        SourceName, typeof(Tracing).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]);

    /// <summary>The W3C <c>traceparent</c> of the current span when it is recorded; stored with an event to link its attempts to it.</summary>
    public static string? CurrentTraceParent() =>
        Activity.Current is { Recorded: true, IdFormat: ActivityIdFormat.W3C } current ? current.Id : null;
}
