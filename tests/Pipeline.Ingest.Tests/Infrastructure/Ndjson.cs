using System.Text;

namespace Pipeline.Ingest.Tests.Infrastructure;

/// <summary>Builds robot input lines.</summary>
public static class Ndjson
{
    /// <summary>A well-formed event line with its <c>\n</c>.</summary>
    public static string Line(string robot, string msg) => $"{{\"robot_id\":\"{robot}\",\"msg\":\"{msg}\"}}\n";

    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    public static byte[] Concat(params byte[][] parts)
    {
        var all = new byte[parts.Sum(p => p.Length)];
        var at = 0;
        foreach (var part in parts)
        {
            part.CopyTo(all, at);
            at += part.Length;
        }

        return all;
    }

    /// <summary>An event line (without terminator) padded with a long attribute to exactly <paramref name="length"/> bytes.</summary>
    public static string LineOfLength(string msg, int length)
    {
        var head = $"{{\"msg\":\"{msg}\",\"pad\":\"";
        const string tail = "\"}";
        var pad = length - head.Length - tail.Length;
        if (pad < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length), "Too short for the message.");
        }

        return head + new string('x', pad) + tail;
    }
}
