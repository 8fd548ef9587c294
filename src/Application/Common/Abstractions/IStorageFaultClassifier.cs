namespace CleanWebhooks.Application.Common.Abstractions;

/// <summary>
/// Tells a fault of the storage that the service cannot fix by itself and that passes (disk full, the database
/// locked for longer than its busy timeout, the database unreachable) from a bug. A storage fault is answered
/// <c>503</c> with <c>Retry-After</c>; anything else stays a bug.
/// </summary>
public interface IStorageFaultClassifier
{
    /// <summary>True when <paramref name="exception"/>, or one it wraps, is a storage fault.</summary>
    bool IsStorageFault(Exception exception);
}
