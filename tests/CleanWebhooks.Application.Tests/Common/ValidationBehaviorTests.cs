using CleanWebhooks.Application.Common.Behaviors;
using CleanWebhooks.Application.Tests.Webhooks;
using CleanWebhooks.Application.Webhooks;
using CleanWebhooks.Application.Webhooks.CreateWebhook;
using CleanWebhooks.Domain.Common;
using FluentValidation;
using Mediator;

namespace CleanWebhooks.Application.Tests.Common;

public class ValidationBehaviorTests
{
    [Fact]
    public async Task Handle_InvalidCommand_FailsWithCamelCaseFieldsAndDoesNotCallTheHandler()
    {
        var behavior = new ValidationBehavior<CreateWebhookCommand, Result<WebhookResponse>>([Commands.Validator]);
        var handlerCalls = 0;

        var result = await behavior.Handle(
            Commands.Minimal() with { Url = "http://x/", AuthorizationResponseTokenAttr = "access_token" },
            (_, _) =>
            {
                handlerCalls++;
                return ValueTask.FromResult(Result<WebhookResponse>.Failure(new Error("x", "x", ErrorType.Conflict)));
            },
            default);

        Assert.False(result.IsSuccess);
        var error = Assert.IsType<ValidationError>(result.Error);
        Assert.Equal(ErrorType.Validation, error.Type);
        Assert.Equal(["authorizationUrl", "url"], error.Errors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(0, handlerCalls);
    }

    [Fact]
    public async Task Handle_ValidCommand_ReturnsWhatTheHandlerReturns()
    {
        var behavior = new ValidationBehavior<CreateWebhookCommand, Result<WebhookResponse>>([Commands.Validator]);
        var fromHandler = Result<WebhookResponse>.Failure(new Error("handler", "reached", ErrorType.Conflict));
        var handlerCalls = 0;

        var result = await behavior.Handle(Commands.Seed(), (_, _) =>
        {
            handlerCalls++;
            return ValueTask.FromResult(fromHandler);
        }, default);

        Assert.Same(fromHandler, result);
        Assert.Equal(1, handlerCalls);
    }

    [Fact]
    public async Task Handle_NoValidators_CallsTheHandler()
    {
        var behavior = new ValidationBehavior<Probe, Result>([]);

        var result = await behavior.Handle(new Probe(null, null), (_, _) => ValueTask.FromResult(Result.Success()), default);

        Assert.True(result.IsSuccess);
    }

    [Fact]
    public async Task Handle_SeveralValidators_MergesTheirErrorsByField()
    {
        var behavior = new ValidationBehavior<Probe, Result>([new ProbeValidator(), new ProbeValidator()]);

        var result = await behavior.Handle(new Probe(null, new ProbeInner(null)), (_, _) => ValueTask.FromResult(Result.Success()), default);

        var error = Assert.IsType<ValidationError>(result.Error);
        Assert.Equal(2, error.Errors["displayName"].Length);
        // Nested properties keep their path, each segment camelCased.
        Assert.Equal(2, error.Errors["inner.tokenAttr"].Length);
        Assert.Equal(2, error.Errors.Count);
    }

    public sealed record Probe(string? DisplayName, ProbeInner? Inner) : ICommand<Result>;

    public sealed record ProbeInner(string? TokenAttr);

    private sealed class ProbeValidator : AbstractValidator<Probe>
    {
        public ProbeValidator()
        {
            RuleFor(p => p.DisplayName).NotEmpty();
            RuleFor(p => p.Inner!.TokenAttr).NotEmpty().When(p => p.Inner is not null);
        }
    }
}
