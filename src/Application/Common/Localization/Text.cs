using System.Globalization;
using CleanWebhooks.Domain.Common;

namespace CleanWebhooks.Application.Common.Localization;

/// <summary>
/// Our own hand-written messages in the languages we answer in: English, and Brazilian Portuguese when the
/// request asks for it (<c>Accept-Language: pt-BR</c>). FluentValidation's built-in texts follow the same culture.
/// </summary>
public static class Text
{
    public static string Pick(string english, string portuguese) =>
        CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "pt" ? portuguese : english;

    /// <summary>
    /// Renders in English whatever the process's culture, for what background work says to the platform (alerts,
    /// logs): a request's culture is the request's, but a server's own culture may be any.
    /// </summary>
    public static T InEnglish<T>(Func<T> render)
    {
        ArgumentNullException.ThrowIfNull(render);
        var culture = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;
        try
        {
            return render();
        }
        finally
        {
            CultureInfo.CurrentUICulture = culture;
        }
    }

    /// <summary>A domain error's description in the request's language.</summary>
    public static string Of(Error error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return Pick(error.Description, error.Portuguese ?? error.Description);
    }
}
