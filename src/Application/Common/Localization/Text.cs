using System.Globalization;

namespace CleanWebhooks.Application.Common.Localization;

/// <summary>
/// Our own hand-written messages in the languages we answer in: English, and Brazilian Portuguese when the
/// request asks for it (<c>Accept-Language: pt-BR</c>). FluentValidation's built-in texts follow the same culture.
/// </summary>
public static class Text
{
    public static string Pick(string english, string portuguese) =>
        CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "pt" ? portuguese : english;
}
