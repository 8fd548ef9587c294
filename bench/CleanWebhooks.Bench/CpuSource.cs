namespace CleanWebhooks.Bench;

/// <summary>A process whose CPU the bench can read: a child it started, the PostgreSQL cluster, or the bench itself.</summary>
internal sealed record CpuSource(string Name, Func<double?> CpuSeconds)
{
    public static CpuSource Of(ChildProcess process, string? name = null) => new(name ?? process.Name, process.CpuSeconds);

    /// <summary>The bench's own process: the load generator and the receivers of every phase.</summary>
    public static CpuSource Bench { get; } = new("bench", () => ProcFs.CpuSeconds(Environment.ProcessId));
}
