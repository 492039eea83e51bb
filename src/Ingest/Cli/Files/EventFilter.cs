using System.Text;
using Pipeline.Blocks.Events;

namespace Pipeline.Ingest.Cli.Files;

/// <summary>
/// The logs/errors/stats filters over files lines, meaning what the ClickHouse queries mean: <c>robot_id = R OR
/// robot_name = R</c>, <c>level &gt;= L</c>, <c>type = T</c>, <c>positionCaseInsensitiveUTF8(msg, G) &gt; 0</c>,
/// <c>ts &gt;= since</c>, <c>ts &lt; until</c>. Values are compared unescaped; a line without any escape is first
/// checked on its raw bytes, which rules most lines out before anything is decoded. Not thread-safe (scratch buffers).
/// </summary>
internal sealed class EventFilter
{
    private readonly byte[]? _robot;
    private readonly byte[]? _robotName;
    private readonly byte[]? _type;
    private readonly byte[]? _grepAscii;
    private readonly string? _grep;
    private byte[] _scratch = new byte[4096];
    private char[] _chars = new char[4096];

    public EventFilter(string? robot, int minLevel, string? type, string? grep, long from, long until)
    {
        _robot = robot is null ? null : Encoding.UTF8.GetBytes(robot);
        _robotName = robot is null ? null : Encoding.UTF8.GetBytes("\"robot_name\":\"" + robot + "\"");
        _type = type is null ? null : Encoding.UTF8.GetBytes(type);
        _grep = grep is { Length: > 0 } ? grep : null;
        _grepAscii = _grep is not null && Ascii.IsValid(_grep) ? Encoding.ASCII.GetBytes(_grep) : null;
        MinLevel = minLevel;
        From = from;
        Until = until;
    }

    /// <summary>Unix ms, inclusive; <see cref="long.MinValue"/> for none.</summary>
    public long From { get; }

    /// <summary>Unix ms, exclusive; <see cref="long.MaxValue"/> for none.</summary>
    public long Until { get; }

    public int MinLevel { get; }

    public bool Matches(ref readonly EventHead head, ReadOnlySpan<byte> line)
    {
        if (head.Level < MinLevel || head.Ts < From || head.Ts >= Until)
        {
            return false;
        }

        if (_type is not null && !Text(head.Type).SequenceEqual(_type))
        {
            return false;
        }

        if (_grep is not null && !Contains(head.Msg))
        {
            return false;
        }

        return _robot is null || Text(head.RobotId).SequenceEqual(_robot) || RobotNameMatches(line, head.Escaped);
    }

    private bool RobotNameMatches(ReadOnlySpan<byte> line, bool escaped)
    {
        if (!escaped && line.IndexOf(_robotName) < 0)
        {
            return false; // without escapes, the raw bytes are the text: no such field here
        }

        return EventRow.RobotNameIs(line, _robot!);
    }

    private ReadOnlySpan<byte> Text(ReadOnlySpan<byte> escaped) => JsonUnescaper.Unescape(escaped, ref _scratch);

    private bool Contains(ReadOnlySpan<byte> escaped)
    {
        var msg = Text(escaped);
        if (_grepAscii is not null)
        {
            return IndexOfIgnoreAsciiCase(msg, _grepAscii) >= 0;
        }

        if (_chars.Length < msg.Length)
        {
            _chars = new char[Math.Max(msg.Length, _chars.Length * 2)];
        }

        var count = Encoding.UTF8.GetChars(msg, _chars);
        return _chars.AsSpan(0, count).IndexOf(_grep, StringComparison.OrdinalIgnoreCase) >= 0;
    }

    private static int IndexOfIgnoreAsciiCase(ReadOnlySpan<byte> text, ReadOnlySpan<byte> needle)
    {
        var first = needle[0];
        var lower = (byte)(first is >= (byte)'A' and <= (byte)'Z' ? first + 32 : first);
        var upper = (byte)(first is >= (byte)'a' and <= (byte)'z' ? first - 32 : first);
        var offset = 0;
        while (text.Length - offset >= needle.Length)
        {
            var i = text[offset..^(needle.Length - 1)].IndexOfAny(lower, upper);
            if (i < 0)
            {
                return -1;
            }

            offset += i;
            if (Ascii.EqualsIgnoreCase(text.Slice(offset, needle.Length), needle))
            {
                return offset;
            }

            offset++;
        }

        return -1;
    }
}
