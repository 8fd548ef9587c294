using System.Globalization;
using CleanWebhooks.Application.Common.Localization;
using CleanWebhooks.Domain.Webhooks;

namespace CleanWebhooks.Application.Tests.Common;

/// <summary>A disabled webhook's reason in words, in the request's language: durations never as a raw time span.</summary>
public class HealthTextsTests
{
    [Theory]
    [InlineData("5.00:00:00", "en", "Every attempt failed for 5 days.")]
    [InlineData("5.00:00:00", "pt-BR", "Todas as tentativas falharam por 5 dias.")]
    [InlineData("00:00:03", "pt-BR", "Todas as tentativas falharam por 3 segundos.")]
    [InlineData("1.12:00:00", "en", "Every attempt failed for 1 day and 12 hours.")]
    [InlineData("1.12:00:00", "pt-BR", "Todas as tentativas falharam por 1 dia e 12 horas.")]
    [InlineData("01:00:00", "pt-BR", "Todas as tentativas falharam por 1 hora.")]
    [InlineData("00:01:30", "en", "Every attempt failed for 1 minute and 30 seconds.")]
    public void Sentence_DisableWindow_ReadsNaturallyInTheLanguage(string window, string culture, string expected)
    {
        var sentence = Under(culture, () => HealthTexts.Sentence(new DisabledReason(TimeSpan.Parse(window, CultureInfo.InvariantCulture))));

        Assert.Equal(expected, sentence);
    }

    [Theory]
    [InlineData("00:00:00.200", "1 second")]
    [InlineData("00:00:59.100", "1 minute")]
    [InlineData("2.00:00:05", "2 days")]
    [InlineData("00:02:00", "2 minutes")]
    public void Duration_OddLengths_RoundedToWholeSecondsAndTwoUnits(string duration, string expected)
    {
        Assert.Equal(expected, Under("en", () => HealthTexts.Duration(TimeSpan.Parse(duration, CultureInfo.InvariantCulture))));
    }

    [Fact]
    public void Sentence_NoReason_IsNull()
    {
        Assert.Null(HealthTexts.Sentence(null));
    }

    [Fact]
    public void InEnglish_UnderAPortugueseCulture_RendersEnglishAndRestoresTheCulture()
    {
        var sentence = Under("pt-BR", () => Text.InEnglish(() => HealthTexts.Sentence(new DisabledReason(TimeSpan.FromDays(5)))));
        var after = Under("pt-BR", () => Text.InEnglish(() => 0) + CultureInfo.CurrentUICulture.Name);

        Assert.Equal("Every attempt failed for 5 days.", sentence);
        Assert.Equal("0pt-BR", after);
    }

    private static T Under<T>(string culture, Func<T> render)
    {
        var previous = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(culture);
        try
        {
            return render();
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }
    }
}
