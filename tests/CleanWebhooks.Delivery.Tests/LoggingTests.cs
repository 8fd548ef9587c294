using System.Collections.Concurrent;
using CleanWebhooks.Delivery.Tests.Operations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CleanWebhooks.Delivery.Tests;

/// <summary>What an operator sees at the default log level (Information) when a delivery fails for good.</summary>
public sealed class LoggingTests : DeliveryFixture
{
    private readonly ConcurrentQueue<(LogLevel Level, string Category, string Message)> _lines = new();

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Factory.TestServices.Add(services => services.AddSingleton<ILoggerProvider>(new RecordingProvider(_lines)));
    }

    [Fact]
    public async Task Delivery_FailingForGood_LogsOneLineAtInformationOrAbove()
    {
        Receiver.Respond = (_, _) => new ReceiverAnswer(410);
        using var integrator = await Factory.CreateIntegratorAsync();
        var webhook = await integrator.CreateWebhookAsync(Receiver.Url("/hook/:id"));

        var (_, deliveryId) = await Factory.ReportAsync(integrator.ClientId, "gone-1");
        await integrator.WaitForStatusAsync(webhook.Id(), deliveryId!.Value, "failed");

        // The line is written once the dispatcher's turn has committed the outcome, just after the status can be read.
        var lines = new List<(LogLevel Level, string Category, string Message)>();
        await StoredRows.WaitUntilAsync(
            () =>
            {
                lines = _lines.Where(l => l.Level >= LogLevel.Information && l.Message.Contains(deliveryId.Value.ToString(), StringComparison.Ordinal)).ToList();
                return Task.FromResult(lines.Count > 0);
            },
            "a log line about the failed delivery",
            TimeSpan.FromSeconds(10));
        var line = Assert.Single(lines);
        Assert.Contains("failed for good", line.Message, StringComparison.Ordinal);
        Assert.Contains("410", line.Message, StringComparison.Ordinal);
    }

    /// <summary>A logger provider beside the console one, filtered by the service's own configuration (default Information).</summary>
    private sealed class RecordingProvider(ConcurrentQueue<(LogLevel, string, string)> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, lines);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<(LogLevel, string, string)> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue((logLevel, category, formatter(state, exception)));
        }
    }
}
