using System.Diagnostics;

namespace CleanWebhooks.Delivery.Tests.Operations;

/// <summary>
/// A fact that needs a small tmpfs of its own (to fill a disk for real): skipped, saying why, where one cannot be
/// mounted (not Linux, not root, no mount). xunit 2 cannot skip from inside a test, so the check runs when the
/// attribute is read: it mounts and unmounts a 64 KB tmpfs once.
/// </summary>
public sealed class TmpfsFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> WhyNot = new(Probe);

    public TmpfsFactAttribute()
    {
        if (WhyNot.Value is { } reason)
        {
            Skip = $"Needs a tmpfs mounted by the test (Linux, as root): {reason}";
        }
    }

    /// <summary>Mounts a tmpfs of <paramref name="size"/> (e.g. <c>4m</c>) on <paramref name="folder"/>; throws with mount's words on failure.</summary>
    public static void Mount(string folder, string size)
    {
        Directory.CreateDirectory(folder);
        var (code, output) = Run("mount", "-t", "tmpfs", "-o", $"size={size}", "tmpfs", folder);
        if (code != 0)
        {
            throw new InvalidOperationException($"mount failed ({code}): {output}");
        }
    }

    /// <summary>Unmounts (lazily, so a file still open does not keep it) and removes the folder.</summary>
    public static void Unmount(string folder)
    {
        Run("umount", "-l", folder);
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // Left to the OS temp cleaner.
        }
    }

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "this is not Linux.";
        }

        var folder = Path.Combine(Path.GetTempPath(), "cleanwebhooks-tmpfs-probe", Guid.NewGuid().ToString("N"));
        try
        {
            Mount(folder, "64k");
            Unmount(folder);
            return null;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or IOException or UnauthorizedAccessException)
        {
            return e.Message;
        }
    }

    private static (int Code, string Output) Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Trim());
    }
}
