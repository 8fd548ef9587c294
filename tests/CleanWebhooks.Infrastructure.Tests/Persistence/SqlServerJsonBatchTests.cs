using System.Text.Json;
using System.Text.RegularExpressions;
using CleanWebhooks.Application.Deliveries.AttemptDelivery;
using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Domain.Webhooks;
using CleanWebhooks.Infrastructure.Persistence.Deliveries;
using ClaimedDelivery = CleanWebhooks.Application.Deliveries.AttemptDelivery.ClaimedDelivery;

namespace CleanWebhooks.Infrastructure.Tests.Persistence;

/// <summary>
/// On SQL Server an intake batch and a batch of outcomes travel as one JSON parameter read with <c>OPENJSON ... WITH</c>.
/// A path there that names no property of the JSON would read NULL without an error: each path must name a property
/// the service writes (case and all), and each property must be read.
/// </summary>
public sealed partial class SqlServerJsonBatchTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 29, 9, 30, 0, TimeSpan.FromHours(-3));

    [Fact]
    public void BatchJson_Intake_HasExactlyThePropertiesOpenJsonReads()
    {
        var documentEvent = DocumentEvent.Restore(EventId.New(), ClientId.New(), "doc-1", WebhookType.DocumentFinished, """{"a": "ã"}""", At);
        var json = IntakeWriter.BatchJson([(documentEvent, new NewDelivery(DeliveryId.New(), WebhookId.New(), At), new IdempotencyKey("platform", "k-1"), null)]);

        AssertReads(SqlServerStatement("IntakeWriter.SqlServer.InsertEvents"), json);
        Assert.Contains("\"OccurredAt\":\"2026-11-29T12:30:00+00:00\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void AttemptsJson_Outcomes_HaveExactlyThePropertiesOpenJsonReads()
    {
        var delivery = Domain.Deliveries.Delivery.Restore(new Domain.Deliveries.Delivery.Snapshot(
            DeliveryId.New(), WebhookId.New(), DeliveryStatus.Pending, 1, At.AddMinutes(5), false, null));
        var message = new DeliveryMessage(EventId.New(), ClientId.New(), "doc-1", 0, null, At, null);
        var attempted = new DeliveryOutcome.Attempted(
            new ClaimedDelivery(delivery, "node-a-1", message), new DeliveryAttempt(1, At, 12, 500, null, null, "HTTP 500"));

        AssertReads(SqlServerStatement("DeliveryQueue.SqlServer.Record"), DeliveryQueue.AttemptsJson([attempted]));
    }

    private static void AssertReads(string sql, string json)
    {
        var paths = OpenJsonPath().Matches(sql).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        using var document = JsonDocument.Parse(json);
        var properties = document.RootElement.EnumerateArray().Single().EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);

        Assert.True(paths.Count >= 10, $"Only {paths.Count} OPENJSON paths found.");
        Assert.Equal(properties.Order(StringComparer.Ordinal), paths.Order(StringComparer.Ordinal));
    }

    private static string SqlServerStatement(string name) =>
        SqlServerSyntaxTests.NestedConstants("SqlServer").Single(s => s.Name == name).Sql;

    [GeneratedRegex(@"'\$\.(\w+)'")]
    private static partial Regex OpenJsonPath();
}
