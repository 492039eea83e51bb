using System.Buffers;
using System.Buffers.Binary;
using Pipeline.Blocks.Events;
using Pipeline.Storage.Sinks;

namespace Pipeline.Storage.Tests.Infrastructure;

/// <summary>
/// Encodes each event as its <c>seq</c> (Int32 LE), so a test can read back exactly which events a
/// payload holds, after a retry, a partial acknowledgement or a spool replay.
/// </summary>
internal sealed class SeqEncoder : IBatchEncoder
{
    public const ushort Format = 7;

    private readonly List<int> _pending = [];

    /// <summary>Runs with the first seq of a batch, before it is encoded (on the encoding thread).</summary>
    public Action<int>? OnAppend { get; init; }

    /// <summary>Runs with the first seq of a sealed batch, after it was sealed.</summary>
    public Action<int>? OnSealed { get; init; }

    /// <summary>Append throws when it meets this seq, after encoding the events before it.</summary>
    public int? PoisonSeq { get; init; }

    public int PendingEvents => _pending.Count;

    public long PendingBytes => _pending.Count * 4L;

    public bool Disposed { get; private set; }

    public void Append(EventBatch batch)
    {
        var events = batch.Events;
        OnAppend?.Invoke(SeqOf(batch, ref events[0]));
        for (var i = 0; i < events.Length; i++)
        {
            var seq = SeqOf(batch, ref events[i]);
            if (seq == PoisonSeq)
            {
                throw new InvalidOperationException($"poison seq {seq}");
            }

            _pending.Add(seq);
        }
    }

    public SinkBatch? Seal()
    {
        if (_pending.Count == 0)
        {
            return null;
        }

        var first = _pending[0];
        var batch = ToBatch(_pending);
        _pending.Clear();
        OnSealed?.Invoke(first);
        return batch;
    }

    public void Dispose() => Disposed = true;

    /// <summary>A sealed batch of these seqs, in a pooled buffer, as the encoder makes it.</summary>
    public static SinkBatch ToBatch(IReadOnlyList<int> seqs)
    {
        var (buffer, length) = Encode(seqs);
        return new SinkBatch(buffer, length, seqs.Count, Format);
    }

    public static (byte[] Buffer, int Length) Encode(IReadOnlyList<int> seqs)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, seqs.Count * 4));
        for (var i = 0; i < seqs.Count; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(i * 4), seqs[i]);
        }

        return (buffer, seqs.Count * 4);
    }

    public static int[] Decode(ReadOnlySpan<byte> payload)
    {
        var seqs = new int[payload.Length / 4];
        for (var i = 0; i < seqs.Length; i++)
        {
            seqs[i] = BinaryPrimitives.ReadInt32LittleEndian(payload[(i * 4)..]);
        }

        return seqs;
    }

    /// <summary>The <c>"seq":N</c> at the end of the event's input line (see <see cref="TestBatches.Line"/>).</summary>
    private static int SeqOf(EventBatch batch, ref EventRecord record)
    {
        var line = batch.GetLine(record.Line);
        var start = line.LastIndexOf(":"u8) + 1;
        var end = line.LastIndexOf("}"u8);
        return int.Parse(line[start..end], System.Globalization.CultureInfo.InvariantCulture);
    }
}
