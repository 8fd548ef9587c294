using System.Diagnostics;
using System.Globalization;

namespace CleanWebhooks.Bench;

/// <summary>
/// What Linux's <c>/proc</c> says about processes and the machine: CPU times, bytes written to storage, parents. Every
/// reader returns null when the file cannot be read (not Linux, the process gone, no permission).
/// </summary>
internal static class ProcFs
{
    /// <summary><c>getconf CLK_TCK</c>: the unit of the CPU times in <c>/proc/&lt;pid&gt;/stat</c> (100 on nearly every Linux).</summary>
    private static readonly Lazy<int> ClockTicksPerSecond = new(() =>
    {
        try
        {
            using var getconf = Process.Start(new ProcessStartInfo("getconf", "CLK_TCK") { RedirectStandardOutput = true, UseShellExecute = false })!;
            var text = getconf.StandardOutput.ReadToEnd().Trim();
            getconf.WaitForExit();
            return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ticks) && ticks > 0 ? ticks : 100;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return 100;
        }
    });

    /// <summary>
    /// CPU seconds a process has used so far, user plus system (<c>utime + stime</c> of <c>/proc/&lt;pid&gt;/stat</c>).
    /// With <paramref name="reapedChildren"/>, also what its children that ended and were waited for used
    /// (<c>cutime + cstime</c>), so that the CPU of a process tree survives its short-lived members.
    /// </summary>
    public static double? CpuSeconds(int pid, bool reapedChildren = false) =>
        Stat(pid) is { } fields ? Ticks(fields, reapedChildren) / (double)ClockTicksPerSecond.Value : null;

    /// <summary>
    /// CPU seconds of <paramref name="root"/> and every living child of it, each with the children it reaped: the whole
    /// of a server made of a parent and its worker processes (PostgreSQL's postmaster and its backends). A child that
    /// ends between two readings moves from the living children's sum to its parent's <c>cutime</c>, so differences
    /// of two readings lose nothing.
    /// </summary>
    public static double? TreeCpuSeconds(int root)
    {
        if (Stat(root) is not { } rootFields)
        {
            return null;
        }

        var ticks = Ticks(rootFields, reapedChildren: true);
        foreach (var child in ChildrenOf(root))
        {
            if (Stat(child) is { } fields)
            {
                ticks += Ticks(fields, reapedChildren: true);
            }
        }

        return ticks / (double)ClockTicksPerSecond.Value;
    }

    /// <summary>The parent of a process (field 4 of its stat).</summary>
    public static int? ParentOf(int pid) =>
        Stat(pid) is { } fields && int.TryParse(fields[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var parent) ? parent : null;

    /// <summary>The command name (<c>comm</c>) of a process.</summary>
    public static string? NameOf(int pid) => Read($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/comm")?.Trim();

    /// <summary>The arguments of a process, joined by spaces.</summary>
    public static string? CommandLineOf(int pid) => Read($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/cmdline")?.Replace('\0', ' ').Trim();

    /// <summary>
    /// Bytes the process caused to be sent to storage so far (<c>write_bytes</c> of <c>/proc/&lt;pid&gt;/io</c>, counted when
    /// a page of a file is dirtied, whether the kernel writes it back now or later), less those whose pages were
    /// truncated before they were written (<c>cancelled_write_bytes</c>).
    /// </summary>
    public static long? WrittenBytes(int pid)
    {
        if (Read($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/io") is not { } text)
        {
            return null;
        }

        long? written = null, cancelled = null;
        foreach (var line in text.Split('\n'))
        {
            var parts = line.Split(':', 2, StringSplitOptions.TrimEntries);
            if (parts.Length == 2 && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            {
                (written, cancelled) = parts[0] switch
                {
                    "write_bytes" => (value, cancelled),
                    "cancelled_write_bytes" => (written, value),
                    _ => (written, cancelled),
                };
            }
        }

        return written - (cancelled ?? 0);
    }

    /// <summary>The machine's busy and total CPU time so far, in clock ticks over all cores (first line of <c>/proc/stat</c>).</summary>
    public static (long Busy, long Total)? MachineTicks()
    {
        var line = Read("/proc/stat")?.Split('\n')[0];
        if (line is null || !line.StartsWith("cpu ", StringComparison.Ordinal))
        {
            return null;
        }

        // user nice system idle iowait irq softirq steal (guest time is already inside user).
        var values = line[4..].Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(8)
            .Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var total = values.Sum();
        return (total - values[3] - values[4], total);
    }

    private static IEnumerable<int> ChildrenOf(int parent)
    {
        IEnumerable<string> folders;
        try
        {
            folders = Directory.EnumerateDirectories("/proc");
        }
        catch (IOException)
        {
            yield break;
        }

        foreach (var folder in folders)
        {
            if (int.TryParse(Path.GetFileName(folder), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && ParentOf(pid) == parent)
            {
                yield return pid;
            }
        }
    }

    /// <summary>The fields of <c>/proc/&lt;pid&gt;/stat</c> after the command name: [0] is field 3 (state), [1] the parent.</summary>
    private static string[]? Stat(int pid)
    {
        // The command name (field 2) is in parentheses and may hold spaces: count the fields after its closing one.
        var stat = Read($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        return stat is null ? null : stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    }

    /// <summary>utime + stime (fields 14 and 15), and cutime + cstime (16 and 17) when asked.</summary>
    private static long Ticks(string[] fields, bool reapedChildren)
    {
        long Field(int number) => long.Parse(fields[number - 3], CultureInfo.InvariantCulture);
        return Field(14) + Field(15) + (reapedChildren ? Field(16) + Field(17) : 0);
    }

    private static string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
