namespace CleanWebhooks.Domain.Common;

/// <summary>Names people read in lists and logs: no control characters, no invisible reordering of the text.</summary>
public static class DisplayText
{
    /// <summary>
    /// True when the trimmed name has 1 to <paramref name="maxLength"/> characters and none of them is a control
    /// character (NUL, CR, LF, ...) or a bidirectional control (U+202E makes "exe.pdf" read as "fdp.exe").
    /// </summary>
    public static bool IsValidName(string? name, int maxLength)
    {
        var trimmed = name?.Trim();
        if (string.IsNullOrEmpty(trimmed) || trimmed.Length > maxLength)
        {
            return false;
        }

        foreach (var c in trimmed)
        {
            if (char.IsControl(c) || c is '\u061C' or '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069'))
            {
                return false;
            }
        }

        return true;
    }
}
