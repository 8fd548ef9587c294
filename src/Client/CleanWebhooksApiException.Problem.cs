using System.Text;
using System.Text.Json;

namespace CleanWebhooks.Client;

/// <summary>
/// Thrown for every answer that is not a success. <see cref="CleanWebhooksApiException.StatusCode"/> is the HTTP status;
/// <see cref="Problem"/> is the service's RFC 9457 problem (<c>type</c>, <c>title</c>, <c>status</c>, <c>detail</c>, and
/// for a 400 an <see cref="HttpValidationProblemDetails"/> with <c>errors</c> keyed by field).
/// </summary>
public partial class CleanWebhooksApiException
{
    private ProblemDetails? _parsedProblem;
    private bool _parsed;

    /// <summary>
    /// The problem the service answered with, or <see langword="null"/> when the answer had no problem body
    /// (for instance an error page of a proxy in front of the service).
    /// </summary>
    public virtual ProblemDetails? Problem
    {
        get
        {
            if (!_parsed)
            {
                _parsedProblem = ParseProblem(Response);
                _parsed = true;
            }

            return _parsedProblem;
        }
    }

    /// <summary>The status, title and detail of the <see cref="Problem"/> (and each field's errors), when there is one.</summary>
    public override string Message => Problem is { } problem ? Describe(problem) : base.Message;

    private string Describe(ProblemDetails problem)
    {
        var text = new StringBuilder($"CleanWebhooks answered {StatusCode} {problem.Title}: {problem.Detail}");
        if (problem is HttpValidationProblemDetails { Errors: { } errors })
        {
            foreach (var (field, messages) in errors)
            {
                text.Append($"{Environment.NewLine}  {field}: {string.Join(" ", messages)}");
            }
        }

        return text.ToString();
    }

    // Status codes the document does not declare for an operation still come back as problems; read them from the text.
    private static ProblemDetails? ParseProblem(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            // type, title, status and detail are required: a body without them is not a problem and fails to read.
            return JsonSerializer.Deserialize<ProblemDetails>(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>An error answer whose body the client read as <typeparamref name="TResult"/> (see <see cref="Result"/>).</summary>
/// <typeparam name="TResult">The declared error body: <see cref="ProblemDetails"/> or <see cref="HttpValidationProblemDetails"/>.</typeparam>
public partial class CleanWebhooksApiException<TResult>
{
    /// <inheritdoc />
    public override ProblemDetails? Problem => Result as ProblemDetails ?? base.Problem;
}
