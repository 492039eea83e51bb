using System.Collections.Concurrent;
using System.Diagnostics;
using HdrHistogram;

namespace Pipeline.LoadTests.Reporting;

/// <summary>
/// What the fleet sent, shared by every robot: counters, and per-write latencies in an HdrHistogram
/// <see cref="Recorder"/> (lock-free for writers; the reporter takes an interval histogram each second).
/// </summary>
internal sealed class LoadStats
{
    /// <summary>Latencies are recorded in nanoseconds, up to this (longer writes are clamped to it).</summary>
    public const long HighestNanoseconds = 10L * 60 * 1_000_000_000;

    private static readonly double NanosecondsPerTick = 1e9 / Stopwatch.Frequency;

    private readonly Recorder _latency = new(1, HighestNanoseconds, 3,
        static (id, lowest, highest, digits) => new LongHistogram(id, lowest, highest, digits));
    private readonly ConcurrentDictionary<string, int> _errors = new(StringComparer.Ordinal);
    private readonly Recorder _acks = new(1, HighestNanoseconds, 3,
        static (id, lowest, highest, digits) => new LongHistogram(id, lowest, highest, digits));
    private HistogramBase? _recycled;
    private HistogramBase? _recycledAcks;
    private long _acked;
    private long _events;
    private long _bytes;
    private long _writes;
    private long _errorCount;

    public long Events => Interlocked.Read(ref _events);
    public long Bytes => Interlocked.Read(ref _bytes);
    public long Writes => Interlocked.Read(ref _writes);
    public long ErrorCount => Interlocked.Read(ref _errorCount);

    /// <summary>Events acknowledged (acked runs).</summary>
    public long Acked => Interlocked.Read(ref _acked);

    /// <summary>Every ack latency taken so far, merged (acked runs): a write to the ack that covered it.</summary>
    public HistogramBase AckTotal { get; } = new LongHistogram(1, HighestNanoseconds, 3);

    /// <summary>Every histogram taken so far, merged: the whole run.</summary>
    public HistogramBase Total { get; } = new LongHistogram(1, HighestNanoseconds, 3);

    /// <summary>Distinct error messages and how often each happened.</summary>
    public IReadOnlyDictionary<string, int> Errors => _errors;

    public void RecordWrite(int events, int bytes, long elapsedTicks)
    {
        Interlocked.Add(ref _events, events);
        Interlocked.Add(ref _bytes, bytes);
        Interlocked.Increment(ref _writes);
        _latency.RecordValue(Math.Clamp((long)(elapsedTicks * NanosecondsPerTick), 1, HighestNanoseconds));
    }

    /// <summary>A write of <paramref name="events"/> events was acknowledged <paramref name="elapsedTicks"/> after it was written.</summary>
    public void RecordAck(int events, long elapsedTicks)
    {
        Interlocked.Add(ref _acked, events);
        _acks.RecordValue(Math.Clamp((long)(elapsedTicks * NanosecondsPerTick), 1, HighestNanoseconds));
    }

    /// <summary>The ack latencies since the last call, also added to <see cref="AckTotal"/>; like <see cref="TakeInterval"/>.</summary>
    public HistogramBase TakeAckInterval()
    {
        var interval = _recycledAcks is null ? _acks.GetIntervalHistogram() : _acks.GetIntervalHistogram(_recycledAcks);
        AckTotal.Add(interval);
        _recycledAcks = interval;
        return interval;
    }

    public void RecordError(string message)
    {
        Interlocked.Increment(ref _errorCount);
        _errors.AddOrUpdate(message, 1, static (_, count) => count + 1);
    }

    /// <summary>
    /// The latencies recorded since the last call, also added to <see cref="Total"/>. Valid until the
    /// next call (its storage is reused). Call from one thread.
    /// </summary>
    public HistogramBase TakeInterval()
    {
        var interval = _recycled is null ? _latency.GetIntervalHistogram() : _latency.GetIntervalHistogram(_recycled);
        Total.Add(interval);
        _recycled = interval;
        return interval;
    }
}
