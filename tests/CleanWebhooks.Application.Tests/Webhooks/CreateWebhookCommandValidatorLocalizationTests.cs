using CleanWebhooks.Domain.Webhooks;
using System.Globalization;
using static CleanWebhooks.Application.Tests.Webhooks.Commands;

namespace CleanWebhooks.Application.Tests.Webhooks;

/// <summary>Messages follow <see cref="CultureInfo.CurrentUICulture"/>, which the API sets from <c>Accept-Language</c>.</summary>
public class CreateWebhookCommandValidatorLocalizationTests
{
    [Fact]
    public async Task Validate_PortugueseUICulture_BuiltInAndOwnMessagesArePortuguese()
    {
        var (name, method, headers) = await MessagesUnder("pt-BR");

        // FluentValidation's own text for NotEmpty, with the field named as the client sent it.
        Assert.Equal(["'name' deve ser informado."], name);
        // Ours.
        Assert.Equal(["O método deve ser POST, PUT, GET ou DELETE."], method);
        Assert.Equal([new HeaderProblem(HeaderProblemKind.Reserved, "Host").Portuguese], headers);
        Assert.StartsWith("O cabeçalho 'Host' não pode ser definido", headers[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_EnglishUICulture_BuiltInAndOwnMessagesAreEnglish()
    {
        var (name, method, headers) = await MessagesUnder("en");

        Assert.Equal(["'name' must not be empty."], name);
        Assert.Equal(["The method must be one of POST, PUT, GET, DELETE."], method);
        Assert.Equal([new HeaderProblem(HeaderProblemKind.Reserved, "Host").Description], headers);
        Assert.StartsWith("The header 'Host' cannot be set", headers[0], StringComparison.Ordinal);
    }

    private static async Task<(string[] Name, string[] Method, string[] Headers)> MessagesUnder(string culture)
    {
        var previous = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(culture);
        try
        {
            var errors = await ErrorsOf(Minimal() with { Name = "", Method = "PATCH", Headers = new() { ["Host"] = "x" } });
            return (errors["name"], errors["method"], errors["headers"]);
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }
    }
}
