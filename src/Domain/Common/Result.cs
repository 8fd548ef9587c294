using System.Diagnostics.CodeAnalysis;

namespace CleanWebhooks.Domain.Common;

/// <summary>Lets generic code (the validation pipeline) build a failed result of any result type.</summary>
public interface IFailable<out TSelf>
{
    static abstract TSelf Failure(Error error);
}

/// <summary>Success, or one <see cref="Common.Error"/>.</summary>
public class Result : IFailable<Result>
{
    protected Result(Error? error) => Error = error;

    public Error? Error { get; }

    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Error is null;

    public static Result Success() => new(null);

    public static Result Failure(Error error) => new(error);

    public static implicit operator Result(Error error) => new(error);
}

/// <summary>A value, or one <see cref="Common.Error"/>.</summary>
#pragma warning disable CA1000 // Static members on generic types are what make `Result<T>.Failure` read well.
public sealed class Result<T> : Result, IFailable<Result<T>>
{
    private readonly T? _value;

    private Result(T value) : base(null) => _value = value;

    private Result(Error error) : base(error) { }

    /// <summary>The value; only read it after checking <see cref="Result.IsSuccess"/>.</summary>
    public T Value => IsSuccess ? _value! : throw new InvalidOperationException($"Result failed with {Error.Code}.");

    public static Result<T> Success(T value) => new(value);

    public static new Result<T> Failure(Error error) => new(error);

    public static implicit operator Result<T>(T value) => new(value);

    public static implicit operator Result<T>(Error error) => new(error);
}
#pragma warning restore CA1000
