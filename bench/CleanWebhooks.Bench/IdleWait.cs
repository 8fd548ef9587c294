namespace CleanWebhooks.Bench;

/// <summary>How one process's wait for idleness ended (<c>settles[]</c> in the results).</summary>
/// <param name="Phase">The measured phase it waited before.</param>
/// <param name="Process">Which process: <c>service</c>, <c>baseline</c> (the baseline server, the forwarder too), <c>PostgreSQL</c> or <c>bench</c>.</param>
/// <param name="Seconds">How long the wait took.</param>
/// <param name="Settled">True when it went idle, false when the deadline came first, null when its CPU could not be read (see <paramref name="Ended"/>).</param>
/// <param name="CpuSeconds">The CPU it used while waited for: the warm-up's leftover work that the measured phase does not pay.</param>
/// <param name="Ended">The process ended while it was waited for (its CPU could be read at first, then not).</param>
internal sealed record IdleWait(string Phase, string Process, double Seconds, bool? Settled, double? CpuSeconds, bool Ended);
