using System.Globalization;

namespace Pipeline.LoadTests.Generation;

/// <summary>
/// Robot-fleet events shaped like <c>shared/bench/gen_events.py</c>: <c>ts</c>, <c>robot_id</c>,
/// a CJK <c>robot_name</c>, <c>level</c>, <c>type</c>, a <c>msg</c> with numbers, a nested <c>data</c>
/// object, a secret <c>token</c> the pipeline must redact, and <c>seq</c> — about 245 bytes a line.
/// Deterministic for a seed. Writes UTF-8 straight into the caller's buffer: no allocation per event,
/// so a load generator measures the server, not its own garbage collector.
/// </summary>
/// <remarks>
/// Linked into perf/Pipeline.Perf as well, so benchmarks and load tests use the same data.
/// Values come from <see cref="Random"/>, not Python's generator: same shape and sizes, other numbers.
/// </remarks>
internal sealed class EventGenerator
{
    /// <summary>No generated line is longer than this (the longest is about 260 bytes).</summary>
    public const int MaxLineBytes = 512;

    /// <summary>Robots in gen_events.py's fleet: ids robot-1 … robot-500.</summary>
    public const int FleetSize = 500;

    private static readonly byte[][] Types =
        [.. new[] { "status_update", "heartbeat", "command", "command_result", "connection", "error", "performance", "security" }.Select(Utf8)];

    private static readonly byte[][] Levels = [.. new[] { "DEBUG", "INFO", "INFO", "INFO", "WARNING", "ERROR" }.Select(Utf8)];

    // The message templates of gen_events.py, cut at their "{}" holes.
    private static readonly byte[][][] Messages =
        [.. new[]
        {
            "Battery level {} percent", "Moved to waypoint {} in {} ms", "Door {} opened by command {}",
            "Heartbeat received seq {}", "Lidar frame dropped at {} fps", "Motor {} temperature {} C",
            "Connection from 192.168.1.{} established", "Invalid token attempt from 10.0.0.{}",
        }.Select(m => m.Split("{}").Select(Utf8).ToArray())];

    private static readonly byte[] RobotName = Utf8("快递小车");

    private readonly Random _random;
    private readonly int _robot;
    private readonly bool _seqFirst;
    private readonly TimeProvider? _clock;

    // The clock's time to the second as "yyyy-MM-ddTHH:mm:ss" (19 bytes), formatted once per second.
    private readonly byte[] _second = new byte[19];
    private long _secondOf = -1;

    /// <param name="seed">Same seed, same events.</param>
    /// <param name="robot">Every event from robot-<paramref name="robot"/>; 0 picks a robot per event like gen_events.py.</param>
    /// <param name="seqFirst"><c>seq</c> as the first key (as the ack protocol's clients write it, docs/acks.md) instead of the last.</param>
    /// <param name="clock">
    /// Stamps each event's <c>ts</c> with this clock's time when it is written (to the millisecond), so queries over
    /// "the last 24 h" see a load test's events; null stamps them as gen_events.py does, from <c>seq</c>, on
    /// 2026-11-23 (the same bytes on every run: benchmarks).
    /// </param>
    public EventGenerator(int seed, int robot = 0, bool seqFirst = false, TimeProvider? clock = null)
    {
        _random = new Random(seed);
        _robot = robot;
        _seqFirst = seqFirst;
        _clock = clock;
    }

    /// <summary>Writes one event and its <c>\n</c>; returns the bytes written.</summary>
    /// <param name="destination">At least <see cref="MaxLineBytes"/> long.</param>
    /// <param name="seq">The event's <c>seq</c>; its <c>ts</c> is derived from it as gen_events.py does.</param>
    public int Write(Span<byte> destination, long seq)
    {
        var r = _robot > 0 ? _robot : _random.Next(1, FleetSize + 1);
        var n = 0;
        if (_seqFirst)
        {
            Put(destination, ref n, "{\"seq\":"u8);
            Number(destination, ref n, seq);
            Put(destination, ref n, ",\"ts\":\""u8);
        }
        else
        {
            Put(destination, ref n, "{\"ts\":\""u8);
        }

        if (_clock is null)
        {
            Put(destination, ref n, "2026-11-23T12:"u8);
            Digits(destination, ref n, seq / 60000 % 60, 2);
            destination[n++] = (byte)':';
            Digits(destination, ref n, seq / 1000 % 60, 2);
            destination[n++] = (byte)'.';
            Digits(destination, ref n, seq % 1000, 3);
        }
        else
        {
            var ticks = _clock.GetUtcNow().UtcTicks;
            var second = ticks / TimeSpan.TicksPerSecond;
            if (second != _secondOf)
            {
                new DateTime(second * TimeSpan.TicksPerSecond, DateTimeKind.Utc).TryFormat(_second, out _, "yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture);
                _secondOf = second;
            }

            Put(destination, ref n, _second);
            destination[n++] = (byte)'.';
            Digits(destination, ref n, ticks / TimeSpan.TicksPerMillisecond % 1000, 3);
        }

        Put(destination, ref n, "Z\",\"robot_id\":\"robot-"u8);
        Number(destination, ref n, r);
        Put(destination, ref n, "\",\"robot_name\":\""u8);
        Put(destination, ref n, RobotName);
        Number(destination, ref n, r);
        Put(destination, ref n, "\",\"level\":\""u8);
        Put(destination, ref n, Levels[_random.Next(Levels.Length)]);
        Put(destination, ref n, "\",\"type\":\""u8);
        Put(destination, ref n, Types[_random.Next(Types.Length)]);
        Put(destination, ref n, "\",\"msg\":\""u8);
        var parts = Messages[_random.Next(Messages.Length)];
        Put(destination, ref n, parts[0]);
        for (var i = 1; i < parts.Length; i++)
        {
            Number(destination, ref n, _random.Next(1, 1000));
            Put(destination, ref n, parts[i]);
        }

        Put(destination, ref n, "\",\"data\":{\"battery\":"u8);
        Number(destination, ref n, _random.Next(1, 101));
        Put(destination, ref n, ",\"x\":"u8);
        Coordinate(destination, ref n, _random.NextDouble());
        Put(destination, ref n, ",\"y\":"u8);
        Coordinate(destination, ref n, _random.NextDouble());
        Put(destination, ref n, "},\"token\":\"tok_"u8);
        ((ulong)_random.NextInt64(long.MinValue, long.MaxValue)).TryFormat(destination[n..], out var w, "x16", CultureInfo.InvariantCulture);
        n += w;
        destination[n++] = (byte)'"';
        if (!_seqFirst)
        {
            Put(destination, ref n, ",\"seq\":"u8);
            Number(destination, ref n, seq);
        }

        destination[n++] = (byte)'}';
        destination[n++] = (byte)'\n';
        return n;
    }

    /// <summary><paramref name="count"/> events as one NDJSON buffer, seq 0…count-1.</summary>
    public static byte[] Ndjson(int count, int seed = 7, int robot = 0)
    {
        var generator = new EventGenerator(seed, robot);
        var buffer = new byte[count * MaxLineBytes];
        var length = 0;
        for (var seq = 0; seq < count; seq++)
        {
            length += generator.Write(buffer.AsSpan(length), seq);
        }

        return buffer.AsSpan(0, length).ToArray();
    }

    private static void Put(Span<byte> destination, ref int n, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(destination[n..]);
        n += bytes.Length;
    }

    private static void Number(Span<byte> destination, ref int n, long value)
    {
        value.TryFormat(destination[n..], out var written, default, CultureInfo.InvariantCulture);
        n += written;
    }

    private static void Digits(Span<byte> destination, ref int n, long value, int width)
    {
        for (var i = width - 1; i >= 0; i--)
        {
            destination[n + i] = (byte)('0' + value % 10);
            value /= 10;
        }

        n += width;
    }

    /// <summary><c>round(random() * 100, 3)</c> printed the way Python's json prints it (<c>5.0</c>, <c>58.279</c>).</summary>
    private static void Coordinate(Span<byte> destination, ref int n, double random)
    {
        Math.Round(random * 100, 3).TryFormat(destination[n..], out var written, "0.0##", CultureInfo.InvariantCulture);
        n += written;
    }

    private static byte[] Utf8(string text) => System.Text.Encoding.UTF8.GetBytes(text);
}
