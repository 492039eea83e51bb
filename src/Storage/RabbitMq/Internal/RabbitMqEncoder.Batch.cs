using System.Buffers.Binary;
using K4os.Compression.LZ4.Streams;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Output;

namespace Pipeline.Storage.RabbitMq.Internal;

/// <summary>
/// Batch mode: every event's JSON line is written once into an arena; each (exchange, routing key)
/// group keeps a chain of the lines it holds, and <see cref="SealGroups"/> compresses each chain
/// into one message. Groups, chains and keys live in reused arrays and pooled buffers.
/// </summary>
internal sealed partial class RabbitMqEncoder
{
    private struct Group
    {
        public PublishTarget Target;
        public int KeyStart;
        public int KeyLength;
        public int RobotStart;
        public int RobotLength; // -1: robots differ within the group
        public byte Level;      // MessageFormat.MixedLevel: levels differ
        public short LevelCode; // -1: none, or codes differ
        public bool CodeMixed;
        public ulong TemplateId;
        public bool TemplateMixed;
        public int Events;
        public int FirstLine;
        public int LastLine;
        public int NextSameHash;
    }

    private struct Line
    {
        public int Start;
        public int Length;
        public int Next;
    }

    private readonly PayloadWriter? _text;
    private readonly PayloadWriter? _keys;
    private readonly PooledBufferWriter? _lines;
    private readonly Dictionary<int, int> _groupByHash = [];
    private Group[] _groups = new Group[64];
    private int _groupCount;
    private Line[] _chain = new Line[1024];
    private int _chainCount;

    private void AppendToGroups(EventBatch batch, ref readonly EventRecord e, int targets)
    {
        var text = _text!;
        var lineStart = text.WrittenCount;
        _json.Write(batch, in e, text);
        var lineLength = text.WrittenCount - lineStart;
        var robot = batch[e.RobotId];
        Span<byte> key = stackalloc byte[RoutingKeyTemplate.MaxLength];
        for (var t = 0; t < targets; t++)
        {
            var target = _targets[t]!;
            var keyLength = target.RoutingKey.Write(batch, in e, key);
            var index = FindOrAddGroup(target, key[..keyLength], robot, in e);
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

            AddLine(ref group, lineStart, lineLength);
        }
    }

    private int FindOrAddGroup(PublishTarget target, ReadOnlySpan<byte> key, ReadOnlySpan<byte> robot, ref readonly EventRecord e)
    {
        var hash = new HashCode();
        hash.Add(target);
        hash.AddBytes(key);
        var h = hash.ToHashCode();
        var keys = _keys!;
        if (_groupByHash.TryGetValue(h, out var index))
        {
            for (var i = index; i >= 0; i = _groups[i].NextSameHash)
            {
                ref var candidate = ref _groups[i];
                if (ReferenceEquals(candidate.Target, target) && key.SequenceEqual(keys.WrittenSpan.Slice(candidate.KeyStart, candidate.KeyLength)))
                {
                    return i;
                }
            }
        }
        else
        {
            index = -1;
        }

        if (_groupCount == _groups.Length)
        {
            Array.Resize(ref _groups, _groups.Length * 2);
        }

        var added = _groupCount++;
        var robotLength = Math.Min(robot.Length, ushort.MaxValue);
        ref var group = ref _groups[added];
        group = new Group
        {
            Target = target,
            KeyStart = keys.WrittenCount,
            KeyLength = key.Length,
            RobotLength = robotLength,
            Level = (byte)e.Level,
            LevelCode = e.LevelCode,
            TemplateId = e.TemplateId,
            FirstLine = -1,
            LastLine = -1,
            NextSameHash = index,
        };
        keys.Write(key);
        group.RobotStart = keys.WrittenCount;
        keys.Write(robot[..robotLength]);
        _groupByHash[h] = added;
        return added;
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
        var keys = _keys!.WrittenSpan;
        var lines = _lines!;
        for (var g = 0; g < _groupCount; g++)
        {
            ref var group = ref _groups[g];
            lines.Clear();
            for (var l = group.FirstLine; l >= 0; l = _chain[l].Next)
            {
                lines.Write(text.Slice(_chain[l].Start, _chain[l].Length));
            }

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
            keys.Slice(group.KeyStart, group.KeyLength).CopyTo(span[n..]);
            n += group.KeyLength;
            BinaryPrimitives.WriteUInt16LittleEndian(span[n..], (ushort)robotLength);
            n += 2;
            keys.Slice(group.RobotStart, robotLength).CopyTo(span[n..]);
            n += robotLength;
            _payload.Advance(n);
            var lengthAt = _payload.ReserveInt32();
            var before = _payload.WrittenCount;
            LZ4Frame.Encode(lines.WrittenSpan, _payload, Lz4Settings);
            _payload.PatchInt32(lengthAt, _payload.WrittenCount - before);
            group.Target = null!;
        }

        _groupCount = 0;
        _chainCount = 0;
        _groupByHash.Clear();
        _text!.Clear();
        _keys!.Clear();
    }
}
