namespace CleanWebhooks.Domain.Deliveries;

/// <summary>What an attempt tells of its receiver's capacity, for its webhook's <see cref="SendWindow"/>.</summary>
public enum ReceiverSignal
{
    /// <summary>Nothing about capacity: a 3xx or a 4xx other than 429, a refused address, no token, our own failure.</summary>
    Neutral,

    /// <summary>A <c>2xx</c>: the receiver keeps up.</summary>
    Accepted,

    /// <summary>A timeout, a network error, a <c>429</c> or a <c>5xx</c>: the receiver is overloaded, or down.</summary>
    Congested,
}

/// <summary>
/// How many attempts of one webhook may be in flight at once on this node (contract section 5, "Flow control"), the
/// way TCP's congestion window works: it starts at <see cref="DeliveryPolicy.InitialWindow"/>; each <c>2xx</c> adds one
/// while the window is below its threshold (so it doubles every round trip: slow start) and 1/window above it (one per
/// round trip); each congestion signal halves it and sets the threshold there. It never exceeds the cap it is read with
/// (<see cref="DeliveryPolicy.WindowCap"/>) and never falls below 1, and it grows only on a <c>2xx</c>: a receiver that
/// has never answered one — new, hanging or failing — stays at the initial window.
/// </summary>
public sealed class SendWindow
{
    private double _size;
    private double _threshold = double.PositiveInfinity;

    public SendWindow(int initial)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(initial, 1);
        _size = initial;
    }

    /// <summary>The attempts that may be in flight at once, within <paramref name="cap"/>.</summary>
    public int Size(int cap) => Math.Max(1, Math.Min(cap, (int)_size));

    /// <summary>Whether the window is still in slow start (it has never been halved).</summary>
    public bool IsStarting => double.IsPositiveInfinity(_threshold);

    /// <summary>Applies what an attempt told of the receiver; <paramref name="cap"/> bounds the growth.</summary>
    public void Observe(ReceiverSignal signal, int cap)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(cap, 1);
        switch (signal)
        {
            case ReceiverSignal.Accepted:
                _size = Math.Min(cap, _size < _threshold ? _size + 1 : _size + (1 / _size));
                break;
            case ReceiverSignal.Congested:
                _size = Math.Max(1, Math.Min(cap, _size) / 2);
                _threshold = _size;
                break;
        }
    }
}
