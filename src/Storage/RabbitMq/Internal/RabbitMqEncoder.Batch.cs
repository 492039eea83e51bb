using System.Buffers.Binary;
using K4os.Compression.LZ4.Streams;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Output;

namespace Pipeline.Storage.RabbitMq.Internal;

/// <summary>
/// Batch mode: every event's JSON line is written once into an arena; each target (a route's, or the
/// sink's default exchange and key template) is one group that keeps a chain of the lines it holds,
/// and <see cref="SealGroups"/> compresses each chain into one message: one message per target per
/// sealed batch, whatever the mix of robots and levels in it. The group's routing key is the template
/// with every placeholder its events agree on, and <c>mixed</c> where they differ
/// (<c>info.telemetry.robot-7</c>, <c>mixed.telemetry.mixed</c>); routes that select by level still
/// put each level's events in their own message. Groups, chains and keys live in reused arrays and
/// pooled buffers.
/// </summary>
internal sealed partial class RabbitMqEncoder
{
    private struct Group
    {
        public PublishTarget Target;
        public int KeyLength;
        public int RobotStart;
        public int RobotLength; // -1: robots differ within the group
        public byte Level;      // MessageFormat.MixedLevel: levels differ
        public short LevelCode; // -1: none, or codes differ
        public bool CodeMixed;
        public ulong TemplateId;
        public bool TemplateMixed;
        public int Events;
        public bool KeyFinal;   // every placeholder is already `mixed` (or the key is never merged): no event can change it
        public int FirstLine;
        public int LastLine;
    }

    /// <summary>Parts of a routing-key template a Batch-mode group can track (literals and placeholders).</summary>
    private const int MaxKeyParts = 32;

    private struct Line
    {
        public int Start;
        public int Length;
        public int Next;
    }

    private readonly PooledBufferWriter? _text;
    private readonly PooledBufferWriter? _keys;
    private readonly PooledBufferWriter? _lines;
    private Group[] _groups = new Group[16];
    private byte[] _groupKeys = new byte[16 * RoutingKeyTemplate.MaxLength];
    private int[] _groupEnds = new int[16 * MaxKeyParts];
    private int _groupCount;
    private Line[] _chain = new Line[1024];
    private int _chainCount;

    /// <summary>Encodes the files' frame of a batch that a Batch-mode message shares; null in Event mode.</summary>
    private readonly Files.FrameEncoder? _frames;

    /// <summary>
    /// Every event to the default target (no route publishes): one message per event batch whose body is
    /// the batch's shared frame — the very bytes the files sink writes, NDJSON and LZ4 done once for both.
    /// Only the key (the parts the events agree on) and the uniform headers are worked out per event.
    /// </summary>
    private void AppendWholeBatch(EventBatch batch)
    {
        var events = batch.Events;
        var target = _routing.Default;
        for (var i = 0; i < events.Length; i++)
        {
            _targets[0] = target;
            AppendToGroups(batch, in events[i], 1, writeLine: false);
        }

        _targets[0] = null;
        if (_groupCount == 1)
        {
            WriteMessage(0, batch.GetOrEncodeFrame(_frames!));
            _pendingEvents += _groups[0].Events;
        }

        ResetGroups();
    }

    private void AppendToGroups(EventBatch batch, ref readonly EventRecord e, int targets, bool writeLine = true)
    {
        var text = _text!;
        var lineStart = text.WrittenCount;
        if (writeLine)
        {
            _json.Write(batch, in e, text);
        }

        var lineLength = text.WrittenCount - lineStart;
        var robot = batch[e.RobotId];
        Span<byte> key = stackalloc byte[RoutingKeyTemplate.MaxLength];
        Span<int> ends = stackalloc int[MaxKeyParts];
        for (var t = 0; t < targets; t++)
        {
            var target = _targets[t]!;
            var index = FindGroup(target);
            // A mixed fleet turns the default key into mixed.mixed.mixed within a few events; from then on
            // writing and merging each event's key (a third of Batch mode's encoding time) changes nothing.
            if (index < 0 || !_groups[index].KeyFinal)
            {
                var template = target.RoutingKey;
                var parts = ends[..Math.Min(template.PartCount, MaxKeyParts)];
                var keyLength = template.PartCount <= MaxKeyParts ? template.Write(batch, in e, key, parts) : template.Write(batch, in e, key);
                if (index < 0)
                {
                    index = AddGroup(target, key[..keyLength], parts, robot, in e, keyFinal: template.PartCount > MaxKeyParts);
                }
                else
                {
                    ref var merging = ref _groups[index];
                    var slot = _groupKeys.AsSpan(index * RoutingKeyTemplate.MaxLength, RoutingKeyTemplate.MaxLength);
                    if (!slot[..merging.KeyLength].SequenceEqual(key[..keyLength]))
                    {
                        var groupEnds = _groupEnds.AsSpan(index * MaxKeyParts, parts.Length);
                        merging.KeyLength = template.Merge(slot, groupEnds, key[..keyLength], parts);
                        merging.KeyFinal = template.IsAllMixed(slot[..merging.KeyLength], groupEnds);
                    }
                }
            }

            ref var group = ref _groups[index];

            if (group.Level != (byte)e.Level)
            {
                group.Level = MessageFormat.MixedLevel;
            }

            if (!group.CodeMixed && group.LevelCode != e.LevelCode)
            {
                group.CodeMixed = true;
            }

            if (!group.TemplateMixed && group.TemplateId != e.TemplateId)
            {
                group.TemplateMixed = true;
            }

            if (group.RobotLength >= 0 && !robot.SequenceEqual(_keys!.WrittenSpan.Slice(group.RobotStart, group.RobotLength)))
            {
                group.RobotLength = -1;
            }

            if (writeLine)
            {
                AddLine(ref group, lineStart, lineLength);
            }
            else
            {
                group.Events++;
            }
        }
    }

    /// <summary>The group of <paramref name="target"/> (a handful per batch: a linear search), or -1.</summary>
    private int FindGroup(PublishTarget target)
    {
        for (var i = 0; i < _groupCount; i++)
        {
            if (ReferenceEquals(_groups[i].Target, target))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>A new group for <paramref name="target"/>, with this event's key.</summary>
    private int AddGroup(PublishTarget target, ReadOnlySpan<byte> key, ReadOnlySpan<int> ends, ReadOnlySpan<byte> robot,
        ref readonly EventRecord e, bool keyFinal)
    {
        if (_groupCount == _groups.Length)
        {
            Array.Resize(ref _groups, _groups.Length * 2);
            Array.Resize(ref _groupKeys, _groups.Length * RoutingKeyTemplate.MaxLength);
            Array.Resize(ref _groupEnds, _groups.Length * MaxKeyParts);
        }

        var index = _groupCount++;
        var robotLength = Math.Min(robot.Length, ushort.MaxValue);
        var keys = _keys!;
        ref var group = ref _groups[index];
        group = new Group
        {
            Target = target,
            KeyLength = key.Length,
            RobotStart = keys.WrittenCount,
            RobotLength = robotLength,
            Level = (byte)e.Level,
            LevelCode = e.LevelCode,
            TemplateId = e.TemplateId,
            KeyFinal = keyFinal,
            FirstLine = -1,
            LastLine = -1,
        };
        key.CopyTo(_groupKeys.AsSpan(index * RoutingKeyTemplate.MaxLength));
        ends.CopyTo(_groupEnds.AsSpan(index * MaxKeyParts));
        keys.Write(robot[..robotLength]);
        return index;
    }

    private void AddLine(ref Group group, int start, int length)
    {
        if (_chainCount == _chain.Length)
        {
            Array.Resize(ref _chain, _chain.Length * 2);
        }

        var index = _chainCount++;
        _chain[index] = new Line { Start = start, Length = length, Next = -1 };
        if (group.LastLine < 0)
        {
            group.FirstLine = index;
        }
        else
        {
            _chain[group.LastLine].Next = index;
        }

        group.LastLine = index;
        group.Events++;
    }

    private void SealGroups()
    {
        var text = _text!.WrittenSpan;
        var lines = _lines!;
        for (var g = 0; g < _groupCount; g++)
        {
            ref var group = ref _groups[g];
            // One group holding every line (one target, the default): the arena already is its NDJSON, in order.
            var whole = _groupCount == 1 && group.Events == _chainCount;
            lines.Clear();
            for (var l = whole ? -1 : group.FirstLine; l >= 0; l = _chain[l].Next)
            {
                lines.Write(text.Slice(_chain[l].Start, _chain[l].Length));
            }

            WriteMessage(g, default, whole ? text : lines.WrittenSpan);
        }

        ResetGroups();
    }

    /// <summary>Group <paramref name="g"/> as one message: its fixed fields, exchange, key, robot, then the body (a ready frame, or lines to compress).</summary>
    private void WriteMessage(int g, ReadOnlySpan<byte> frame, ReadOnlySpan<byte> lines = default)
    {
        ref var group = ref _groups[g];
        var keys = _keys!.WrittenSpan;
        var exchange = group.Target.ExchangeUtf8;
        var robotLength = Math.Max(group.RobotLength, 0);
        var span = _payload.GetSpan(MessageFormat.FixedBytes + 1 + exchange.Length + 1 + group.KeyLength + 2 + robotLength);
        MessageFormat.WriteFixed(span, MessageKind.Lz4Ndjson, group.Level, group.CodeMixed ? (short)-1 : group.LevelCode,
            group.TemplateMixed ? 0 : group.TemplateId, group.Events);
        var n = MessageFormat.FixedBytes;
        span[n++] = (byte)exchange.Length;
        exchange.CopyTo(span[n..]);
        n += exchange.Length;
        span[n++] = (byte)group.KeyLength;
        _groupKeys.AsSpan(g * RoutingKeyTemplate.MaxLength, group.KeyLength).CopyTo(span[n..]);
        n += group.KeyLength;
        BinaryPrimitives.WriteUInt16LittleEndian(span[n..], (ushort)robotLength);
        n += 2;
        keys.Slice(group.RobotStart, robotLength).CopyTo(span[n..]);
        n += robotLength;
        _payload.Advance(n);
        var lengthAt = _payload.ReserveInt32();
        var before = _payload.WrittenCount;
        if (frame.IsEmpty)
        {
            LZ4Frame.Encode(lines, _payload, Lz4Settings);
        }
        else
        {
            _payload.Write(frame);
        }

        _payload.PatchInt32(lengthAt, _payload.WrittenCount - before);
    }

    private void ResetGroups()
    {
        for (var g = 0; g < _groupCount; g++)
        {
            _groups[g].Target = null!;
        }

        _groupCount = 0;
        _chainCount = 0;
        _text!.Clear();
        _keys!.Clear();
    }
}
