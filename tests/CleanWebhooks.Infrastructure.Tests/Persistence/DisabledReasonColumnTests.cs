using CleanWebhooks.Domain.Webhooks;
using CleanWebhooks.Infrastructure.Persistence.Webhooks;

namespace CleanWebhooks.Infrastructure.Tests.Persistence;

/// <summary>The disabled reason is stored without words, and the English sentences stored before are read back as the same reason.</summary>
public class DisabledReasonColumnTests
{
    [Fact]
    public void Write_Reason_HoldsNoSentenceAndReadsBack()
    {
        var stored = DisabledReasonColumn.Write(new DisabledReason(TimeSpan.FromDays(5)));

        Assert.Equal("""{"kind":"every_attempt_failed","failedFor":"5.00:00:00"}""", stored);
        Assert.Equal(new DisabledReason(TimeSpan.FromDays(5)), DisabledReasonColumn.Read(stored));
    }

    [Theory]
    [InlineData("Every attempt failed for 00:00:05, since 2026-12-06T23:57:35Z.", "00:00:05")]
    [InlineData("Every attempt failed for 5.00:00:00, since 2026-12-01T08:00:00Z.", "5.00:00:00")]
    public void Read_SentenceStoredByEarlierVersions_IsTheSameReason(string column, string window)
    {
        Assert.Equal(new DisabledReason(TimeSpan.Parse(window, System.Globalization.CultureInfo.InvariantCulture)), DisabledReasonColumn.Read(column));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("disabled by hand")]
    [InlineData("""{"kind":"something_else","failedFor":"1.00:00:00"}""")]
    public void Read_NoneOrUnknown_IsNoReason(string? column)
    {
        Assert.Null(DisabledReasonColumn.Read(column));
    }

    [Fact]
    public void Write_None_IsNull()
    {
        Assert.Null(DisabledReasonColumn.Write(null));
    }
}
