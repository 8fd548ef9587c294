using CleanWebhooks.Domain.Common;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CleanWebhooks.Api.Http;

/// <summary>A use case's result as its HTTP answer: the value, or the error's problem.</summary>
public static class ResultHttpExtensions
{
    public static Results<Ok<T>, ProblemHttpResult> ToOkOrProblem<T>(this Result<T> result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.IsSuccess ? TypedResults.Ok(result.Value) : result.Error.ToProblem();
    }

    public static Results<NoContent, ProblemHttpResult> ToNoContentOrProblem(this Result result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.IsSuccess ? TypedResults.NoContent() : result.Error.ToProblem();
    }
}
