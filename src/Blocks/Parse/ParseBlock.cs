using System.Text.Json;
using System.Text.Unicode;
using Pipeline.Blocks.DeadLetters;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Graph;
using Pipeline.Blocks.Metrics;

namespace Pipeline.Blocks.Parse;

/// <summary>
/// Turns a batch's framed lines into <see cref="EventRecord"/>s with <see cref="Utf8JsonReader"/>.
/// Known fields become slices of the input (no copy), every other field is copied once into the
/// batch as the attributes object. A bad line is counted, dead-lettered and skipped.
/// With <see cref="ParseOptions.MaxStringChars"/> set, long string values are cut (ParseBlock.Truncation.cs).
/// </summary>
public sealed partial class ParseBlock : IBatchProcessor
{
    private readonly ParseOptions _options;
    private readonly ComponentMetrics _metrics;
    private readonly IDeadLetterSink _deadLetters;
    private readonly ISessionObserver? _sessions;

    /// <summary>Not an event and not a discard: a control message, handed to the <see cref="ISessionObserver"/>.</summary>
    private const string Control = "control";

    /// <param name="sessions">Told about control messages and the robot of each connection; null: control messages are ordinary events.</param>
    public ParseBlock(ParseOptions options, PipelineMetrics metrics, IDeadLetterSink deadLetters, ISessionObserver? sessions = null)
    {
        _options = options;
        _metrics = metrics.ForComponent(Name);
        _deadLetters = deadLetters;
        _sessions = sessions;
        _maxChars = options.MaxStringChars;
        _truncate = _maxChars > 0;
        _cutAbove = _truncate ? _maxChars : int.MaxValue;
        _truncatedValues = metrics.TruncatedValues;
        _truncatedEvents = metrics.TruncatedEvents;
    }

    public string Name => "parse";

    public void Process(EventBatch batch)
    {
        var lines = batch.LineCount;
        _metrics.In.Inc(lines);
        long cutValues = 0;
        long cutEvents = 0;
        for (var i = 0; i < lines; i++)
        {
            // Reserve the most the attributes can take now, so that the buffer cannot move while
            // the reader holds a span of the line.
            batch.EnsureCapacity(AttributesCapacity(batch.Lines[i].Length));
            var reason = ParseLine(batch, i, out var cuts);
            cutValues += cuts;
            cutEvents += cuts > 0 ? 1 : 0;
            if (reason is not null && !ReferenceEquals(reason, Control))
            {
                _metrics.Discarded(reason);
                if (!ReferenceEquals(reason, DiscardReasons.EmptyLine))
                {
                    _deadLetters.Write(Name, reason, batch.Source, batch.GetLine(i));
                }
            }
        }

        if (_sessions is not null && batch.Count > 0 && batch.Source is { IsTransport: true, RobotId: null })
        {
            NameRobot(batch);
        }

        _metrics.Out.Inc(batch.Count);
        if (cutValues > 0)
        {
            _truncatedValues.Inc(cutValues);
            _truncatedEvents.Inc(cutEvents);
        }
    }

    /// <returns>null when the line became an event, else the discard reason.</returns>
    private string? ParseLine(EventBatch batch, int index, out int cuts)
    {
        cuts = 0;
        var lineRef = batch.Lines[index];
        var line = batch.GetLine(index);
        var start = 0;
        while (start < line.Length && IsWhitespace(line[start]))
        {
            start++;
        }

        if (start == line.Length)
        {
            return DiscardReasons.EmptyLine;
        }

        if (!Utf8.IsValid(line))
        {
            return DiscardReasons.InvalidUtf8;
        }

        if (line[start] != '{')
        {
            return IsSingleJsonValue(line) ? DiscardReasons.NotAnObject : DiscardReasons.MalformedJson;
        }

        ref var record = ref batch.AddEvent();
        try
        {
            cuts = ReadObject(batch, line, lineRef.Offset, ref record);
            record.Line = index;
            if (_sessions is not null && batch.Source.IsTransport && ControlMessages.TryParse(batch[record.Type], out var kind))
            {
                batch.TruncateEvents(batch.Count - 1);
                _sessions.OnControl(batch.Source, kind, line);
                return Control;
            }

            return batch.Source.AuthenticatedRobot is { } robot ? CheckRobot(batch, ref record, robot) : null;
        }
        catch (JsonException)
        {
            batch.TruncateEvents(batch.Count - 1);
            return DiscardReasons.MalformedJson;
        }
        catch (InvalidOperationException)
        {
            // Utf8JsonReader getters throw this for tokens of an unexpected shape.
            batch.TruncateEvents(batch.Count - 1);
            return DiscardReasons.MalformedJson;
        }
    }

    /// <summary>Without a hello, a session belongs to the robot_id of its first event (DESIGN, "Robots").</summary>
    private void NameRobot(EventBatch batch)
    {
        foreach (ref readonly var e in batch.Events)
        {
            if (e.RobotId.Length > 0)
            {
                _sessions!.OnRobotNamed(batch.Source, batch[e.RobotId]);
                return;
            }
        }
    }

    /// <summary>
    /// A robot that authenticated may only speak for itself: an event without a robot_id gets the connection's,
    /// one with another robot's is refused (kept in the dead letters as evidence, not rewritten).
    /// </summary>
    private static string? CheckRobot(EventBatch batch, ref EventRecord record, byte[] robot)
    {
        if (record.RobotId.Length == 0)
        {
            record.RobotId = batch.Append(robot);
            return null;
        }

        if (batch[record.RobotId].SequenceEqual(robot))
        {
            return null;
        }

        batch.TruncateEvents(batch.Count - 1);
        return DiscardReasons.RobotIdMismatch;
    }

    /// <returns>How many string values were cut.</returns>
    private int ReadObject(EventBatch batch, ReadOnlySpan<byte> line, int lineOffset, ref EventRecord record)
    {
        var reader = new Utf8JsonReader(line, new JsonReaderOptions { MaxDepth = _options.MaxDepth });
        reader.Read(); // StartObject: checked by the caller.
        record.Timestamp = long.MinValue;
        record.Level = EventLevel.Info;
        record.LevelCode = -1;

        var attributes = batch.GetAppendSpan(line.Length + 2);
        var written = 0;
        attributes[written++] = (byte)'{';
        var cuts = 0;
        var cutFields = 0; // a bit per known field whose slice is a cut prefix, to be copied with the suffix

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var nameStart = (int)reader.TokenStartIndex;
            var field = reader.ValueIsEscaped ? KnownField.None : Classify(reader.ValueSpan);
            reader.Read();
            if (field != KnownField.None && TryReadKnown(ref reader, field, lineOffset, ref record, ref cutFields))
            {
                continue;
            }

            if (written > 1)
            {
                attributes[written++] = (byte)',';
            }

            if (_truncate)
            {
                written += CopyCutting(ref reader, line, nameStart, attributes[written..], ref cuts);
                continue;
            }

            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                reader.Skip();
            }

            var end = (int)reader.BytesConsumed;
            line[nameStart..end].CopyTo(attributes[written..]);
            written += end - nameStart;
        }

        // Anything after the closing brace (a second value, garbage) makes the line malformed.
        if (reader.Read())
        {
            throw new JsonException("Trailing data after the event object.");
        }

        if (written > 1)
        {
            attributes[written++] = (byte)'}';
            record.Attributes = new Slice(batch.DataLength, written);
            batch.Advance(written);
        }

        if (cutFields != 0)
        {
            cuts += AppendCutFields(batch, ref record, cutFields);
        }

        if (record.Timestamp == long.MinValue)
        {
            record.Timestamp = batch.ReceivedAt;
        }

        return cuts;
    }

    private bool TryReadKnown(ref Utf8JsonReader reader, KnownField field, int lineOffset, ref EventRecord record, ref int cutFields)
    {
        switch (field)
        {
            case KnownField.Ts:
                return TryReadTimestamp(ref reader, ref record);
            case KnownField.Level:
                return TryReadLevel(ref reader, ref record);
        }

        Slice value;
        var cut = false;
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                var length = reader.ValueSpan.Length;
                if (length > _cutAbove && field != KnownField.RobotId)
                {
                    var cutLength = JsonStringTruncation.CutLength(reader.ValueSpan, _maxChars);
                    cut = cutLength >= 0;
                    length = cut ? cutLength : length;
                }

                value = new Slice(lineOffset + (int)reader.TokenStartIndex + 1, length);
                break;
            case JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False:
                value = new Slice(lineOffset + (int)reader.TokenStartIndex, reader.ValueSpan.Length);
                break;
            case JsonTokenType.Null:
                return true;
            default:
                return false; // an object or array under a known name stays an attribute
        }

        StringField(ref record, field) = value;
        var bit = 1 << (int)field;
        cutFields = cut ? cutFields | bit : cutFields & ~bit; // a repeated name replaces the earlier value
        return true;
    }

    private static bool TryReadTimestamp(ref Utf8JsonReader reader, ref EventRecord record)
    {
        if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped &&
            Rfc3339.TryParse(reader.ValueSpan, out var ms))
        {
            record.Timestamp = ms;
            return true;
        }

        if (reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var number) &&
            number is > 0 and < 1e15)
        {
            // Epoch milliseconds; a value below 1e11 can only be seconds (1e11 ms is 1973).
            record.Timestamp = number < 1e11 ? (long)(number * 1000) : (long)number;
            return true;
        }

        return false; // unreadable: kept as an attribute, the event gets the receive time
    }

    private bool TryReadLevel(ref Utf8JsonReader reader, ref EventRecord record)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var code))
        {
            if (LevelParser.TryParseCode(code, _options.NumericLevels, out var level))
            {
                record.Level = level;
                record.LevelCode = (short)code;
                return true;
            }

            return false;
        }

        if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped)
        {
            var text = reader.ValueSpan;
            if (LevelParser.TryParseName(text, out var level))
            {
                record.Level = level;
                return true;
            }

            if (System.Buffers.Text.Utf8Parser.TryParse(text, out long numeric, out var used) && used == text.Length &&
                LevelParser.TryParseCode(numeric, _options.NumericLevels, out level))
            {
                record.Level = level;
                record.LevelCode = (short)numeric;
                return true;
            }
        }

        return false; // unknown level: INFO, and the original stays in the attributes
    }

    /// <summary>Only on the error path: tells "valid JSON, but not an object" from "not JSON".</summary>
    private static bool IsSingleJsonValue(ReadOnlySpan<byte> line)
    {
        try
        {
            var reader = new Utf8JsonReader(line);
            return reader.Read() && reader.TrySkip() && !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static KnownField Classify(ReadOnlySpan<byte> name) => name.Length switch
    {
        2 when name.SequenceEqual("ts"u8) => KnownField.Ts,
        3 when name.SequenceEqual("msg"u8) => KnownField.Msg,
        4 when name.SequenceEqual("type"u8) => KnownField.Type,
        4 when name.SequenceEqual("hash"u8) => KnownField.Hash,
        5 when name.SequenceEqual("level"u8) => KnownField.Level,
        7 when name.SequenceEqual("span_id"u8) => KnownField.SpanId,
        8 when name.SequenceEqual("robot_id"u8) => KnownField.RobotId,
        8 when name.SequenceEqual("trace_id"u8) => KnownField.TraceId,
        _ => KnownField.None,
    };

    private static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';

    private enum KnownField : byte
    {
        None,
        Ts,
        RobotId,
        Level,
        Type,
        Msg,
        TraceId,
        SpanId,
        Hash,
    }
}
