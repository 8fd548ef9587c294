using System.Buffers.Binary;
using System.Collections.Concurrent;
using CleanWebhooks.Application.Common.Settings;
using CleanWebhooks.Domain.Clients;

namespace CleanWebhooks.Application.Clients;

/// <summary>
/// Which client an active API key belongs to, remembered by the key's SHA-256 hash (never the key itself) for
/// <see cref="ApiKeyCacheOptions.CacheLifetime"/>, so that an integrator's request costs one query instead of two.
/// Only keys found active are kept: an unknown key is looked up every time, so a key issued on any node works at once.
/// A revoke on this node empties the cache before it answers; another node's cache forgets the key within the lifetime.
/// </summary>
public sealed class ApiKeyCache
{
    private readonly ConcurrentDictionary<byte[], Entry> _entries = new(HashComparer.Instance);
    private readonly TimeProvider _clock;
    private readonly TimeSpan _lifetime;
    private readonly int _capacity;

    /// <summary>Bumped by every revoke: an entry from an earlier generation is never served.</summary>
    private long _generation;

    public ApiKeyCache(ApiKeyCacheOptions options, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(options);
        _clock = clock;
        _lifetime = options.Checked().CacheLifetime;
        _capacity = options.CacheSize;
    }

    /// <summary>
    /// Taken before the database is asked: an entry's lifetime runs from then, and a revoke that happens while the
    /// query runs stops its answer from being kept.
    /// </summary>
    public Lookup BeginLookup() => new(Volatile.Read(ref _generation), _clock.GetTimestamp());

    /// <summary>The client of the key whose hash is <paramref name="hash"/>, when this node looked it up recently.</summary>
    public bool TryGet(byte[] hash, out ClientId clientId)
    {
        if (_entries.TryGetValue(hash, out var entry))
        {
            if (entry.Generation == Volatile.Read(ref _generation) && _clock.GetElapsedTime(entry.LookedUpAt) < _lifetime)
            {
                clientId = entry.ClientId;
                return true;
            }

            _entries.TryRemove(new KeyValuePair<byte[], Entry>(hash, entry));
        }

        clientId = default;
        return false;
    }

    /// <summary>Keeps an active key's client, unless a revoke happened since <paramref name="lookup"/> began.</summary>
    public void Remember(byte[] hash, ClientId clientId, Lookup lookup)
    {
        if (_lifetime <= TimeSpan.Zero || lookup.Generation != Volatile.Read(ref _generation))
        {
            return;
        }

        if (_entries.Count >= _capacity)
        {
            _entries.Clear();
        }

        _entries[hash] = new Entry(clientId, lookup.Generation, lookup.StartedAt);
    }

    /// <summary>
    /// Forgets every key, after a revoke has committed: revokes are rare, and forgetting all of them needs no map
    /// from key id to hash. Lookups under way keep nothing.
    /// </summary>
    public void ForgetAll()
    {
        Interlocked.Increment(ref _generation);
        _entries.Clear();
    }

    /// <summary>When a lookup began, and in which generation.</summary>
    public readonly record struct Lookup(long Generation, long StartedAt);

    private readonly record struct Entry(ClientId ClientId, long Generation, long LookedUpAt);

    /// <summary>SHA-256 hashes compared by content; their first bytes are already uniformly spread.</summary>
    private sealed class HashComparer : IEqualityComparer<byte[]>
    {
        public static readonly HashComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => obj.Length >= sizeof(int) ? BinaryPrimitives.ReadInt32LittleEndian(obj) : obj.Length;
    }
}
