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

        return HasNoControls(trimmed);
    }

    /// <summary>
    /// True when no character of <paramref name="text"/> is a control character (C0, DEL, C1: NUL, CR, LF, ...) or a
    /// bidirectional control (embeddings and overrides U+202A–U+202E, isolates U+2066–U+2069, the marks U+200E, U+200F
    /// and U+061C), which make a text read otherwise than it is.
    /// </summary>
    public static bool HasNoControls(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var c in text)
        {
            if (char.IsControl(c) || c is '\u061C' or '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069'))
            {
                return false;
            }
        }

        return true;
    }
}
