using System.Buffers.Text;
using System.Text;
using Pipeline.Blocks.Events;

namespace Pipeline.Storage.RabbitMq.Internal;

/// <summary>
/// A routing-key template (<c>{level}.{type}.{robot_id}</c>) compiled into literal and placeholder
/// parts, written as UTF-8 straight into the payload: no string per event. A missing value is
/// <c>none</c>; dots, <c>*</c>, <c>#</c>, whitespace, quotes and backslashes inside a value become
/// <c>_</c>, so a robot id like <c>a.b</c> stays one topic word. Keys are cut at 255 bytes (AMQP's limit).
/// </summary>
internal sealed class RoutingKeyTemplate
{
    public const int MaxLength = 255;

    private enum Part : byte { Literal, Level, Type, RobotId, Site, LevelCode }

    private readonly (Part Part, byte[] Literal)[] _parts;

    public RoutingKeyTemplate(string template)
    {
        Template = template;
        var parts = new List<(Part, byte[])>();
        var i = 0;
        while (i < template.Length)
        {
            var open = template.IndexOf('{', i);
            if (open < 0)
            {
                parts.Add((Part.Literal, Encoding.UTF8.GetBytes(template[i..])));
                break;
            }

            if (open > i)
            {
                parts.Add((Part.Literal, Encoding.UTF8.GetBytes(template[i..open])));
            }

            var end = template.IndexOf('}', open);
            var part = template[(open + 1)..end] switch
            {
                "level" => Part.Level,
                "type" => Part.Type,
                "robot_id" => Part.RobotId,
                "site" => Part.Site,
                "level_code" => Part.LevelCode,
                var other => throw new ArgumentException($"Unknown placeholder {{{other}}} in routing key '{template}'."),
            };
            parts.Add((part, []));
            i = end + 1;
        }

        _parts = [.. parts];
    }

    public string Template { get; }

    /// <summary>Literal and placeholder parts (for <see cref="Write(EventBatch, ref readonly EventRecord, Span{byte}, Span{int})"/>'s part ends).</summary>
    public int PartCount => _parts.Length;

    /// <summary>The word a placeholder becomes in a Batch-mode key when the group's events differ in it.</summary>
    public static ReadOnlySpan<byte> Mixed => "mixed"u8;

    /// <summary>Writes the key for <paramref name="e"/> into <paramref name="destination"/> (at least <see cref="MaxLength"/> bytes); returns its length.</summary>
    public int Write(EventBatch batch, ref readonly EventRecord e, Span<byte> destination) => Write(batch, in e, destination, default);

    /// <summary>As <see cref="Write(EventBatch, ref readonly EventRecord, Span{byte})"/>, and the end of every part in <paramref name="ends"/> (<see cref="PartCount"/> entries, or empty).</summary>
    public int Write(EventBatch batch, ref readonly EventRecord e, Span<byte> destination, Span<int> ends)
    {
        var key = destination[..MaxLength];
        var n = 0;
        Span<byte> digits = stackalloc byte[8];
        for (var p = 0; p < _parts.Length; p++)
        {
            var (part, literal) = _parts[p];
            switch (part)
            {
                case Part.Literal:
                    Copy(literal, key, ref n, sanitise: false);
                    break;
                case Part.Level:
                    Copy(LowerName(e.Level), key, ref n, sanitise: false);
                    break;
                case Part.Type:
                    Value(batch[e.Type], key, ref n);
                    break;
                case Part.RobotId:
                    Value(batch[e.RobotId], key, ref n);
                    break;
                case Part.Site:
                    Value(e.Robot is { } robot ? robot.SiteJson : default, key, ref n);
                    break;
                case Part.LevelCode:
                    if (e.LevelCode >= 0)
                    {
                        Utf8Formatter.TryFormat(e.LevelCode, digits, out var w);
                        Copy(digits[..w], key, ref n, sanitise: false);
                    }
                    else
                    {
                        Copy("none"u8, key, ref n, sanitise: false);
                    }

                    break;
            }

            if (!ends.IsEmpty)
            {
                ends[p] = n;
            }
        }

        return n;
    }

    /// <summary>
    /// Folds an event's key into a group's: every placeholder whose value differs becomes
    /// <see cref="Mixed"/> (literals never differ). Both keys come with their part ends; the group's
    /// key and ends are rewritten in place. Returns the group key's new length.
    /// </summary>
    public int Merge(Span<byte> groupKey, Span<int> groupEnds, ReadOnlySpan<byte> key, ReadOnlySpan<int> ends)
    {
        Span<byte> merged = stackalloc byte[MaxLength];
        Span<int> mergedEnds = stackalloc int[_parts.Length];
        var n = 0;
        int gStart = 0, kStart = 0;
        for (var p = 0; p < _parts.Length; p++)
        {
            var g = groupKey[gStart..groupEnds[p]];
            var k = key[kStart..ends[p]];
            var word = _parts[p].Part == Part.Literal || g.SequenceEqual(k) ? g : Mixed;
            Copy(word, merged, ref n, sanitise: false);
            mergedEnds[p] = n;
            gStart = groupEnds[p];
            kStart = ends[p];
        }

        merged[..n].CopyTo(groupKey);
        mergedEnds.CopyTo(groupEnds);
        return n;
    }

    /// <summary>Whether every placeholder of a merged key (with its part ends) is <see cref="Mixed"/>: merging can no longer change it.</summary>
    public bool IsAllMixed(ReadOnlySpan<byte> groupKey, ReadOnlySpan<int> groupEnds)
    {
        var start = 0;
        for (var p = 0; p < _parts.Length; p++)
        {
            if (_parts[p].Part != Part.Literal && !groupKey[start..groupEnds[p]].SequenceEqual(Mixed))
            {
                return false;
            }

            start = groupEnds[p];
        }

        return true;
    }

    public static ReadOnlySpan<byte> LowerName(EventLevel level) => level switch
    {
        EventLevel.Debug => "debug"u8,
        EventLevel.Info => "info"u8,
        EventLevel.Warning => "warning"u8,
        EventLevel.Error => "error"u8,
        _ => "critical"u8,
    };

    private static void Value(ReadOnlySpan<byte> value, Span<byte> key, ref int n) =>
        Copy(value.IsEmpty ? "none"u8 : value, key, ref n, sanitise: !value.IsEmpty);

    private static void Copy(ReadOnlySpan<byte> value, Span<byte> key, ref int n, bool sanitise)
    {
        var room = key.Length - n;
        if (value.Length > room)
        {
            // Cut on a UTF-8 boundary: never leave half a character at the end of a key.
            var cut = room;
            while (cut > 0 && (value[cut] & 0xC0) == 0x80)
            {
                cut--;
            }

            value = value[..cut];
        }

        value.CopyTo(key[n..]);
        if (sanitise)
        {
            var written = key.Slice(n, value.Length);
            for (var i = 0; i < written.Length; i++)
            {
                if (written[i] is (byte)'.' or (byte)'*' or (byte)'#' or (byte)'\\' or (byte)'"' or <= (byte)' ')
                {
                    written[i] = (byte)'_';
                }
            }
        }

        n += value.Length;
    }
}
