using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using Pipeline.Blocks.Events;

namespace Pipeline.Blocks.Alerts.Internal;

/// <summary>
/// A path to one value of an event (<c>robot_id</c>, <c>site</c>, <c>data.zone</c>), read without allocating:
/// top-level fields from their slices, attribute paths by walking the attributes object with a
/// <see cref="Utf8JsonReader"/>. Values come out as the JSON-escaped UTF-8 the batch holds (strings without
/// quotes, numbers as their digits), so comparing them to literals encoded the same way needs no decoding.
/// </summary>
internal sealed class EventPath
{
    private static readonly byte[][] LevelNames =
        [.. Enum.GetNames<EventLevel>().Select(n => Encoding.UTF8.GetBytes(n.ToUpperInvariant()))];

    private readonly byte[][] _segments;

    private EventPath(string text, EventField field, byte[][] segments)
    {
        // Interned: rules reading the same path share one string, which the per-event caches compare by reference.
        Text = string.Intern(text);
        Field = field;
        _segments = segments;
    }

    /// <summary>The path as written; also the label name of a group-by.</summary>
    public string Text { get; }

    public EventField Field { get; }

    /// <summary>Attribute paths: the names of the path, UTF-8 (empty for top-level fields).</summary>
    public byte[][] Segments => _segments;

    /// <summary>Bytes a value can need in the caller's scratch space (template ids are formatted into it).</summary>
    public const int ScratchBytes = 24;

    public static bool TryParse(string? text, out EventPath path, out string problem)
    {
        path = null!;
        if (string.IsNullOrWhiteSpace(text))
        {
            problem = "empty path.";
            return false;
        }

        var field = text switch
        {
            "robot_id" => EventField.RobotId,
            "type" => EventField.Type,
            "msg" => EventField.Msg,
            "level" => EventField.Level,
            "site" => EventField.Site,
            "template_id" => EventField.TemplateId,
            "trace_id" => EventField.TraceId,
            "hash" => EventField.Hash,
            _ => EventField.Attribute,
        };
        var parts = text.Split('.');
        foreach (var part in parts)
        {
            if (part.Length == 0 || part.Any(char.IsWhiteSpace))
            {
                problem = $"'{text}' is not a path (robot_id, site, type, template_id, level, or attribute names joined by '.', e.g. data.zone).";
                return false;
            }
        }

        path = new EventPath(text, field, field == EventField.Attribute ? [.. parts.Select(Encoding.UTF8.GetBytes)] : []);
        problem = "";
        return true;
    }

    /// <summary>
    /// The value of the path in <paramref name="e"/>: a span of the batch, of static data, or of
    /// <paramref name="scratch"/> (<see cref="ScratchBytes"/> long). False when the event does not have it.
    /// </summary>
    public bool TryGet(EventBatch batch, ref readonly EventRecord e, Span<byte> scratch, out ReadOnlySpan<byte> value, out bool isNumber)
    {
        isNumber = false;
        switch (Field)
        {
            case EventField.RobotId:
                return Present(batch[e.RobotId], out value);
            case EventField.Type:
                return Present(batch[e.Type], out value);
            case EventField.Msg:
                return Present(batch[e.Msg], out value);
            case EventField.TraceId:
                return Present(batch[e.TraceId], out value);
            case EventField.Hash:
                return Present(batch[e.Hash], out value);
            case EventField.Level:
                value = LevelNames[(int)e.Level];
                return true;
            case EventField.Site:
                value = e.Robot is { } robot ? robot.SiteJson : default;
                return !value.IsEmpty;
            case EventField.TemplateId:
                isNumber = true;
                if (e.TemplateId == 0 || !Utf8Formatter.TryFormat(e.TemplateId, scratch, out var written))
                {
                    value = default;
                    return false;
                }

                value = scratch[..written];
                return true;
            default:
                return TryGetAttribute(batch[e.Attributes], out value, out isNumber);
        }
    }

    private static bool Present(ReadOnlySpan<byte> slice, out ReadOnlySpan<byte> value)
    {
        value = slice;
        return !slice.IsEmpty;
    }

    private bool TryGetAttribute(ReadOnlySpan<byte> attributes, out ReadOnlySpan<byte> value, out bool isNumber)
    {
        value = default;
        isNumber = false;
        if (attributes.IsEmpty)
        {
            return false;
        }

        try
        {
            var reader = new Utf8JsonReader(attributes);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            var segment = 0;
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.EndObject)
                {
                    return false; // the object at this depth has no such name
                }

                // A property name at the current object's depth.
                var matches = reader.ValueTextEquals(_segments[segment]);
                reader.Read();
                if (!matches)
                {
                    reader.Skip();
                    continue;
                }

                if (segment == _segments.Length - 1)
                {
                    switch (reader.TokenType)
                    {
                        case JsonTokenType.String:
                            value = reader.ValueSpan;
                            return true;
                        case JsonTokenType.Number:
                        case JsonTokenType.True:
                        case JsonTokenType.False:
                            value = reader.ValueSpan;
                            isNumber = reader.TokenType == JsonTokenType.Number;
                            return true;
                        default:
                            return false;
                    }
                }

                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    return false;
                }

                segment++;
            }
        }
        catch (JsonException)
        {
            // The parse block wrote the attributes, so this is not expected; a bad one only means "no value".
        }

        return false;
    }
}
