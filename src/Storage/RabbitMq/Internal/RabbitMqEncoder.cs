using System.Buffers.Binary;
using K4os.Compression.LZ4;
using K4os.Compression.LZ4.Streams;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Output;
using Pipeline.Storage.Sinks;

namespace Pipeline.Storage.RabbitMq.Internal;

/// <summary>
/// Encodes event batches into the RabbitMQ payload (<see cref="MessageFormat"/>): Event mode writes
/// one message per event and target as it goes; Batch mode groups lines by (exchange, routing key)
/// and compresses each group into one LZ4 frame at <see cref="Seal"/>. Routing keys are written as
/// UTF-8 into pooled buffers; nothing is allocated per event. One per runner encode loop.
/// </summary>
internal sealed partial class RabbitMqEncoder : IBatchEncoder
{
    private static readonly LZ4EncoderSettings Lz4Settings = new()
    {
        CompressionLevel = LZ4Level.L00_FAST,
        BlockSize = 64 * 1024,
        ChainBlocks = false,
        ContentChecksum = true,
    };

    private readonly RabbitMqRouting _routing;
    private readonly RabbitMqMode _mode;
    private readonly EventJsonWriter _json = new();
    private readonly PooledBufferWriter _payload = new(256 * 1024);
    private readonly PublishTarget?[] _targets;
    private int _pendingEvents;

    public RabbitMqEncoder(RabbitMqRouting routing, RabbitMqMode mode)
    {
        _routing = routing;
        _mode = mode;
        _targets = new PublishTarget?[routing.Targets.Length];
        if (mode == RabbitMqMode.Batch)
        {
            _frames = new Files.FrameEncoder();
            _text = new PooledBufferWriter(256 * 1024);
            _keys = new PooledBufferWriter(16 * 1024);
            _lines = new PooledBufferWriter(256 * 1024);
        }
    }

    /// <summary>Deliveries pending: events × the messages each goes into. Events no target takes are not counted.</summary>
    public int PendingEvents => _pendingEvents;

    public long PendingBytes => _payload.WrittenCount + (_text?.WrittenCount ?? 0);

    public void Append(EventBatch batch)
    {
        if (_mode == RabbitMqMode.Batch && _routing.OnlyDefault)
        {
            AppendWholeBatch(batch);
            return;
        }

        var events = batch.Events;
        for (var i = 0; i < events.Length; i++)
        {
            ref readonly var e = ref events[i];
            var count = _routing.Resolve(batch, in e, _targets);
            if (count == 0)
            {
                continue;
            }

            if (_mode == RabbitMqMode.Event)
            {
                for (var t = 0; t < count; t++)
                {
                    AppendEvent(batch, in e, _targets[t]!);
                }
            }
            else
            {
                AppendToGroups(batch, in e, count);
            }

            _pendingEvents += count;
        }

        Array.Clear(_targets);
    }

    public SinkBatch? Seal()
    {
        if (_pendingEvents == 0)
        {
            return null;
        }

        if (_mode == RabbitMqMode.Batch)
        {
            SealGroups();
        }

        var events = _pendingEvents;
        _pendingEvents = 0;
        var buffer = _payload.Detach(out var length);
        return new SinkBatch(buffer, length, events, MessageFormat.Version1);
    }

    public void Dispose()
    {
        _payload.Dispose();
        _text?.Dispose();
        _keys?.Dispose();
        _lines?.Dispose();
        _frames?.Dispose();
    }

    private void AppendEvent(EventBatch batch, ref readonly EventRecord e, PublishTarget target)
    {
        var robot = batch[e.RobotId];
        var robotLength = Math.Min(robot.Length, ushort.MaxValue);
        var exchange = target.ExchangeUtf8;
        var span = _payload.GetSpan(MessageFormat.FixedBytes + 1 + exchange.Length + 1 + RoutingKeyTemplate.MaxLength + 2 + robotLength + 4);
        MessageFormat.WriteFixed(span, MessageKind.Json, (byte)e.Level, e.LevelCode, e.TemplateId, 1);
        var n = MessageFormat.FixedBytes;
        span[n++] = (byte)exchange.Length;
        exchange.CopyTo(span[n..]);
        n += exchange.Length;
        var keyLength = target.RoutingKey.Write(batch, in e, span[(n + 1)..]);
        span[n] = (byte)keyLength;
        n += 1 + keyLength;
        BinaryPrimitives.WriteUInt16LittleEndian(span[n..], (ushort)robotLength);
        n += 2;
        robot[..robotLength].CopyTo(span[n..]);
        n += robotLength;
        _payload.Advance(n);
        var lengthAt = _payload.ReserveInt32();
        var before = _payload.WrittenCount;
        _json.Write(batch, in e, _payload);
        _payload.PatchInt32(lengthAt, _payload.WrittenCount - before);
    }
}
