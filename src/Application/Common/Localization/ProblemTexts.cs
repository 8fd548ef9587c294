using System.Globalization;
using System.Reflection;

namespace CleanWebhooks.Application.Common.Localization;

/// <summary>One text of the catalogue (a problem answer's, a portal page's), in English and in Brazilian Portuguese.</summary>
/// <param name="English">The text in English; <c>{0}</c>, <c>{1}</c>... are filled by <see cref="Format"/>.</param>
/// <param name="Portuguese">The same text in Brazilian Portuguese, with the same placeholders.</param>
public sealed record LocalizedText(string English, string Portuguese)
{
    /// <summary>The text in the request's language.</summary>
    public override string ToString() => Text.Pick(English, Portuguese);

    /// <summary>The text in the request's language, its placeholders filled.</summary>
    public string Format(params object?[] arguments) => string.Format(CultureInfo.InvariantCulture, ToString(), arguments);

    /// <summary>The public static texts of a catalogue class, each named <c>Catalogue.Field</c>.</summary>
    public static IEnumerable<(string Key, LocalizedText Text)> FieldsOf(Type catalogue)
    {
        ArgumentNullException.ThrowIfNull(catalogue);
        return catalogue.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(LocalizedText))
            .Select(f => ($"{catalogue.Name}.{f.Name}", (LocalizedText)f.GetValue(null)!));
    }
}

/// <summary>
/// The catalogue of every problem answer's title and standard detail (contract section 7), and of the API's own
/// messages about a request it could not read. A test walks it, and the portal's <see cref="PortalTexts"/>, and
/// fails on any text missing a language.
/// Domain errors carry their two texts themselves (<see cref="Domain.Common.Error.Portuguese"/>).
/// </summary>
public static class ProblemTexts
{
    private static readonly Dictionary<int, (LocalizedText Title, LocalizedText Detail)> ByStatus = new()
    {
        [400] = (new("Bad Request", "Requisição inválida"), new("One or more fields are invalid.", "Um ou mais campos são inválidos.")),
        [401] = (new("Unauthorized", "Não autorizado"), new("A valid API key is required.", "É necessária uma chave de API válida.")),
        [404] = (new("Not Found", "Não encontrado"), new("No such resource.", "Recurso inexistente.")),
        [405] = (new("Method Not Allowed", "Método não permitido"), new("The resource does not accept this method.", "O recurso não aceita este método.")),
        [409] = (new("Conflict", "Conflito"), new("The request conflicts with the current state of the resource.", "A requisição conflita com o estado atual do recurso.")),
        [413] = (new("Content Too Large", "Conteúdo grande demais"), new("The request body is too large.", "O corpo da requisição é grande demais.")),
        [415] = (new("Unsupported Media Type", "Tipo de mídia não suportado"),
            new("The request body must be JSON (Content-Type: application/json).", "O corpo da requisição deve ser JSON (Content-Type: application/json).")),
        [429] = (new("Too Many Requests", "Requisições demais"),
            new("Too many requests. Wait the number of seconds in Retry-After, then try again.", "Requisições demais. Aguarde os segundos indicados em Retry-After e tente de novo.")),
        [500] = (new("Internal Server Error", "Erro interno do servidor"),
            new("An unexpected error occurred. It has been logged.", "Ocorreu um erro inesperado. Ele foi registrado.")),
        [503] = (new("Service Unavailable", "Serviço indisponível"),
            new("The storage is unavailable at the moment. Wait the number of seconds in Retry-After, then try again.", "O armazenamento está indisponível no momento. Aguarde os segundos indicados em Retry-After e tente de novo.")),
    };

    /// <summary>A missing or unknown key: <c>{0}</c> is the header (<c>X-API-KEY</c>, <c>X-INTERNAL-KEY</c>).</summary>
    public static readonly LocalizedText KeyRequired = new("A valid {0} header is required.", "É necessário um cabeçalho {0} válido.");

    /// <summary><c>{0}</c> is the limit in KB.</summary>
    public static readonly LocalizedText BodyTooLarge = new("The request body is larger than {0} KB.", "O corpo da requisição tem mais de {0} KB.");

    public static readonly LocalizedText BodyNotJson = new("The body is not valid JSON.", "O corpo não é um JSON válido.");

    public static readonly LocalizedText BodyNotObject = new("The body must be a JSON object.", "O corpo deve ser um objeto JSON.");

    /// <summary><c>{0}</c> is the property as sent.</summary>
    public static readonly LocalizedText UnknownProperty = new(
        "'{0}' is not a property of this body: check its spelling against the API reference.",
        "A propriedade '{0}' é desconhecida neste corpo: confira a grafia na referência da API.");

    /// <summary><c>{0}</c> is the property as sent.</summary>
    public static readonly LocalizedText DuplicateProperty = new(
        "'{0}' is given more than once.", "A propriedade '{0}' foi informada mais de uma vez.");

    public static readonly LocalizedText WrongJsonType = new(
        "The value has the wrong JSON type or is malformed (a number must not be quoted).",
        "O valor tem o tipo JSON errado ou está malformado (um número não vai entre aspas).");

    public static readonly LocalizedText WrongValueType = new("The value has the wrong type.", "O valor tem o tipo errado.");

    /// <summary>A key over its limit: <c>{0}</c> is the permits per second, <c>{1}</c> the burst.</summary>
    public static readonly LocalizedText RateLimited = new(
        "Too many requests with this API key: at most {0} per second, in bursts of up to {1}. Try again after the time in Retry-After.",
        "Requisições demais com esta chave de API: no máximo {0} por segundo, em rajadas de até {1}. Tente novamente após o tempo indicado em Retry-After.");

    public static readonly LocalizedText TooManyFailedAuthentications = new(
        "Too many failed authentications from this address. Try again after the time in Retry-After.",
        "Falhas de autenticação demais a partir deste endereço. Tente novamente após o tempo indicado em Retry-After.");

    public static readonly LocalizedText StorageUnavailable = new(
        "The service's storage is unavailable right now (its database is full, locked or unreachable); try again later.",
        "O armazenamento do serviço está indisponível agora (o banco de dados está cheio, bloqueado ou inacessível); tente novamente mais tarde.");

    /// <summary>The statuses that have a title and a standard detail.</summary>
    public static IReadOnlyCollection<int> Statuses => ByStatus.Keys;

    public static LocalizedText? Title(int status) => ByStatus.TryGetValue(status, out var texts) ? texts.Title : null;

    public static LocalizedText? Detail(int status) => ByStatus.TryGetValue(status, out var texts) ? texts.Detail : null;

    /// <summary>Every text of the catalogue, named, for the test that checks both languages are there.</summary>
    public static IEnumerable<(string Key, LocalizedText Text)> All() =>
        ByStatus.SelectMany(s => new[] { ($"{s.Key}.title", s.Value.Title), ($"{s.Key}.detail", s.Value.Detail) })
            .Concat(LocalizedText.FieldsOf(typeof(ProblemTexts)));
}
