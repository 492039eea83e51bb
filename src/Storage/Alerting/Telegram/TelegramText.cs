using System.Text;
using Pipeline.Storage.Alerting.Internal;

namespace Pipeline.Storage.Alerting.Telegram;

/// <summary>The text of a Telegram message: the readable digest, cut to Telegram's 4096 characters, escaped for the parse mode.</summary>
internal static class TelegramText
{
    /// <summary>Telegram's limit on <c>text</c>, in UTF-16 code units after entity parsing.</summary>
    public const int MaxChars = 4096;

    public const string CutMarker = "\n… (cut)";

    public static string For(AlertMessage message, string? parseMode)
    {
        // Cut before escaping: Telegram counts the text after parsing, which is the unescaped text.
        var text = TextCut.Cut(AlertText.Body(message).TrimEnd('\n'), MaxChars, CutMarker);
        return parseMode switch
        {
            "HTML" => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal)
                .Replace(">", "&gt;", StringComparison.Ordinal),
            "MarkdownV2" => EscapeMarkdownV2(text),
            _ => text,
        };
    }

    private static string EscapeMarkdownV2(string text)
    {
        var escaped = new StringBuilder(text.Length + 64);
        foreach (var c in text)
        {
            if ("_*[]()~`>#+-=|{}.!\\".Contains(c))
            {
                escaped.Append('\\');
            }

            escaped.Append(c);
        }

        return escaped.ToString();
    }
}
