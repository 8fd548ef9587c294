using System.Buffers.Binary;
using CleanWebhooks.Domain.Clients;

namespace CleanWebhooks.Application.Clients;

/// <summary>
/// Which API keys may exist, by the first 8 bytes of their SHA-256 hash, so that a guess from an address that the
/// failed-authentication throttle already holds costs no database look-up: a hash that is not here is no key. Built
/// on first need from the active keys, then kept up to date with the keys this node issues and, at most once per
/// <see cref="RefreshInterval"/>, with those created since the last refresh (on any node). A hash found here is
/// looked up as usual (it may be revoked, or a one in 2^64 lookalike), so a valid key is always let in.
/// </summary>
public sealed class KnownApiKeys(IClientRepository clients, TimeProvider clock)
{
    /// <summary>How often, at most, guesses can make the keys be read again, however many arrive.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(1);

    /// <summary>Read again from this far before the last refresh: clocks of other nodes, and commits that come late.</summary>
    private static readonly TimeSpan Overlap = TimeSpan.FromMinutes(5);

    private readonly Lock _gate = new();
    private readonly HashSet<long> _prefixes = [];
    private DateTimeOffset? _refreshedAt;
    private Task? _refreshing;

    /// <summary>False only when no key has this hash (as of at most <see cref="RefreshInterval"/> ago).</summary>
    public async ValueTask<bool> MayExistAsync(byte[] hash, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hash);
        if (Contains(hash))
        {
            return true;
        }

        Task refresh;
        lock (_gate)
        {
            if (_refreshedAt is { } at && clock.GetUtcNow() - at < RefreshInterval)
            {
                return false;
            }

            refresh = _refreshing ??= RefreshAsync();
        }

        await refresh.WaitAsync(cancellationToken);
        return Contains(hash);
    }

    /// <summary>A key this node just issued: known at once, whatever the refresh interval.</summary>
    public void Add(byte[] hash)
    {
        ArgumentNullException.ThrowIfNull(hash);
        lock (_gate)
        {
            if (_refreshedAt is not null)
            {
                _prefixes.Add(Prefix(hash));
            }
        }
    }

    private bool Contains(byte[] hash)
    {
        lock (_gate)
        {
            return _prefixes.Contains(Prefix(hash));
        }
    }

    private async Task RefreshAsync()
    {
        try
        {
            var startedAt = clock.GetUtcNow();
            DateTimeOffset? since;
            lock (_gate)
            {
                since = _refreshedAt - Overlap;
            }

            var hashes = await clients.ListActiveKeyHashesAsync(since, CancellationToken.None);
            lock (_gate)
            {
                foreach (var hash in hashes)
                {
                    _prefixes.Add(Prefix(hash));
                }

                _refreshedAt = startedAt;
            }
        }
        finally
        {
            lock (_gate)
            {
                _refreshing = null;
            }
        }
    }

    private static long Prefix(byte[] hash) => BinaryPrimitives.ReadInt64LittleEndian(hash);
}
