using System.Globalization;

namespace Pipeline.Storage.Alerting.Internal;

/// <summary>Cuts text to a length in UTF-16 code units (what Telegram counts) at a character boundary: never inside a surrogate pair or a combined character.</summary>
internal static class TextCut
{
    /// <summary><paramref name="text"/> when it fits in <paramref name="max"/>, else its longest whole-character prefix that fits with <paramref name="marker"/> after it.</summary>
    public static string Cut(string text, int max, string marker)
    {
        if (text.Length <= max)
        {
            return text;
        }

        var room = Math.Max(0, max - marker.Length);
        var end = 0;
        while (end < text.Length)
        {
            var next = end + StringInfo.GetNextTextElementLength(text.AsSpan(end));
            if (next > room)
            {
                break;
            }

            end = next;
        }

        return string.Concat(text.AsSpan(0, end), marker);
    }
}
