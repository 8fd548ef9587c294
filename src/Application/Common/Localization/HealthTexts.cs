using System.Globalization;
using CleanWebhooks.Domain.Webhooks;

namespace CleanWebhooks.Application.Common.Localization;

/// <summary>
/// A webhook's health in words, for the API's <c>disabledReason</c> and the portal alike, in the request's language
/// (English in background work: alerts and logs). Durations are words ("5 days", "5 dias"), never a raw time span.
/// </summary>
public static class HealthTexts
{
    /// <summary><c>{0}</c> is the duration in words.</summary>
    public static readonly LocalizedText EveryAttemptFailed = new("every attempt failed for {0}", "todas as tentativas falharam por {0}");

    public static readonly LocalizedText Day = new("{0} day", "{0} dia");

    public static readonly LocalizedText Days = new("{0} days", "{0} dias");

    public static readonly LocalizedText Hour = new("{0} hour", "{0} hora");

    public static readonly LocalizedText Hours = new("{0} hours", "{0} horas");

    public static readonly LocalizedText Minute = new("{0} minute", "{0} minuto");

    public static readonly LocalizedText Minutes = new("{0} minutes", "{0} minutos");

    public static readonly LocalizedText Second = new("{0} second", "{0} segundo");

    public static readonly LocalizedText Seconds = new("{0} seconds", "{0} segundos");

    /// <summary><c>{0}</c> and <c>{1}</c> are the two parts of a duration.</summary>
    public static readonly LocalizedText And = new("{0} and {1}", "{0} e {1}");

    /// <summary>The reason as a sentence of its own ("Every attempt failed for 5 days."), as the API answers it.</summary>
    public static string? Sentence(DisabledReason? reason)
    {
        if (reason is null)
        {
            return null;
        }

        var phrase = EveryAttemptFailed.Format(Duration(reason.FailedFor));
        return char.ToUpper(phrase[0], CultureInfo.InvariantCulture) + phrase[1..] + ".";
    }

    /// <summary>
    /// A duration in words, to its two largest units: "5 days", "1 day and 12 hours", "3 seconds". Anything under a
    /// second counts as one second: no health window is that short, and "0 seconds" would read as nothing.
    /// </summary>
    public static string Duration(TimeSpan duration)
    {
        var seconds = Math.Max(1, (long)Math.Ceiling(duration.TotalSeconds));
        (long Count, LocalizedText One, LocalizedText Many)[] units =
        [
            (seconds / 86_400, Day, Days),
            (seconds / 3_600 % 24, Hour, Hours),
            (seconds / 60 % 60, Minute, Minutes),
            (seconds % 60, Second, Seconds),
        ];
        var parts = units.SkipWhile(u => u.Count == 0).Take(2).Where(u => u.Count > 0)
            .Select(u => (u.Count == 1 ? u.One : u.Many).Format(u.Count.ToString(CultureInfo.InvariantCulture)))
            .ToList();
        return parts.Count == 1 ? parts[0] : And.Format(parts[0], parts[1]);
    }

    /// <summary>Every text of the catalogue, named, for the test that checks both languages are there.</summary>
    public static IEnumerable<(string Key, LocalizedText Text)> All() => LocalizedText.FieldsOf(typeof(HealthTexts));
}
