using System.Collections.Concurrent;
using System.Globalization;
using System.Net;

namespace CleanWebhooks.Bench;

/// <summary>
/// The requests of a load that were not answered with the expected status, counted by what they got instead: the
/// status code (<c>"503"</c>), <c>"network"</c> for a failed connection, <c>"timeout"</c> for no answer in time.
/// </summary>
internal sealed class StatusCounts
{
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);

    public long Total => _counts.Values.Sum();

    public IReadOnlyDictionary<string, long> ByStatus => new SortedDictionary<string, long>(_counts, StringComparer.Ordinal);

    /// <summary><paramref name="send"/>, counting here each answer that is not <paramref name="expected"/>.</summary>
    public Load.Send Count(Load.Send send, HttpStatusCode expected) => async (index, token) =>
    {
        try
        {
            var status = await send(index, token);
            if (status != expected)
            {
                Add(((int)status).ToString(CultureInfo.InvariantCulture));
            }

            return status;
        }
        catch (HttpRequestException)
        {
            Add("network");
            throw;
        }
        catch (TaskCanceledException) when (!token.IsCancellationRequested)
        {
            Add("timeout");
            throw;
        }
    };

    private void Add(string what) => _counts.AddOrUpdate(what, 1, (_, n) => n + 1);
}
