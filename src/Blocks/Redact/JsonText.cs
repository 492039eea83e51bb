using System.Text.Encodings.Web;
using System.Text.Json;

namespace Pipeline.Blocks.Redact;

/// <summary>Re-escapes JSON string content (unescaping is <see cref="Events.JsonUnescaper"/>).</summary>
internal static class JsonText
{
    /// <summary>JSON-escapes UTF-8 text (content without quotes), as System.Text.Json's relaxed encoder does.</summary>
    public static byte[] Escape(ReadOnlySpan<byte> utf8) =>
        JsonEncodedText.Encode(utf8, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).EncodedUtf8Bytes.ToArray();
}
