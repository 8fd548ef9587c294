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

    /// <summary>A domain error's description in the request's language.</summary>
    public static string Of(Error error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return Pick(error.Description, error.Portuguese ?? error.Description);
    }
}
