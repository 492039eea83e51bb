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

    /// <summary>Writes the key for <paramref name="e"/> into <paramref name="destination"/> (at least <see cref="MaxLength"/> bytes); returns its length.</summary>
    public int Write(EventBatch batch, ref readonly EventRecord e, Span<byte> destination)
    {
        var key = destination[..MaxLength];
        var n = 0;
        Span<byte> digits = stackalloc byte[8];
        foreach (var (part, literal) in _parts)
        {
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
        }

        return n;
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
