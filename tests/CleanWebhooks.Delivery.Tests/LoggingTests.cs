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

        // The line follows the commit of the dispatcher's turn by a moment. A second delivery given up, and its line,
        // come after every line the first one's turn could write: only then is "one line" known.
        var (_, laterId) = await Factory.ReportAsync(integrator.ClientId, "gone-2");
        await integrator.WaitForStatusAsync(webhook.Id(), laterId!.Value, "failed");
        await StoredRows.WaitUntilAsync(
            () => Task.FromResult(LinesAbout(laterId.Value).Count > 0), "a log line about the second failed delivery", TimeSpan.FromSeconds(10));
        var lines = LinesAbout(deliveryId.Value);
        var line = Assert.Single(lines);
        Assert.Contains("failed for good", line.Message, StringComparison.Ordinal);
        Assert.Contains("410", line.Message, StringComparison.Ordinal);
    }

    private List<(LogLevel Level, string Category, string Message)> LinesAbout(Guid deliveryId) =>
        [.. _lines.Where(l => l.Level >= LogLevel.Information && l.Message.Contains(deliveryId.ToString(), StringComparison.Ordinal))];

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
