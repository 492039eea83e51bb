using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Pipeline.Blocks.DeadLetters;
using Pipeline.Blocks.Events;
using Pipeline.Ingest.Framing;
using Pipeline.Ingest.Robots;
using Pipeline.Storage.Acks;

namespace Pipeline.Ingest.Acks;

/// <summary>
/// Ingest's side of acknowledged delivery (docs/acks.md), shared by every connection: the hello that asks for acks
/// (the stream claimed, a previous connection of the boot drained first, the resume ack sent), and the numbered lines
/// of each read (re-sends dropped, gaps reported). Null registry: the files sink is off and a hello that asks is refused.
/// </summary>
internal sealed class AckIngest
{
    private readonly AckRegistry? _registry;
    private readonly AckMetrics? _metrics;
    private readonly Hosting.InternalEventQueue? _events;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public AckIngest(AckRegistry? registry, AckMetrics? metrics, Hosting.InternalEventQueue? events, TimeProvider time, ILogger logger)
    {
        _registry = registry;
        _metrics = metrics;
        _events = events;
        _time = time;
        _logger = logger;
    }

    /// <summary>How long an acknowledged connection's partial batch waits for more lines (the ack waits for it).</summary>
    public TimeSpan FlushInterval => _registry?.Options.FlushInterval ?? TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// Handles a first line that may be a hello asking for acks. Returns the session (null: no acks asked, carry on as
    /// usual), or sets <paramref name="refused"/> after telling the robot why (then the connection closes).
    /// </summary>
    public async Task<(AckSession? Session, bool Refused)> HelloAsync(ReadOnlyMemory<byte> line, SourceConnection source, IRobotLink? link)
    {
        if (!AckHello.MayBeHello(line.Span))
        {
            return (null, false);
        }

        var hello = AckHello.Parse(line.Span);
        if (!hello.Acks)
        {
            return (null, false);
        }

        if (_registry is null || link is null)
        {
            await RefuseAsync(link, "acks_unavailable",
                "acks need the files sink (Pipeline:Sinks:Files:Enabled=true) and Pipeline:Acks:Enabled=true; connect without \"acks\" or enable them").ConfigureAwait(false);
            return (null, true);
        }

        if (hello.Problem(source.RobotId) is { } problem)
        {
            await RefuseAsync(link, "bad_hello", problem).ConfigureAwait(false);
            return (null, true);
        }

        var robot = hello.RobotId ?? source.RobotId!;
        var stream = _registry.Open(robot, hello.BootId!);
        var session = new AckSession(stream, link, _metrics!);
        if (stream.Claim(session, _time.GetUtcNow().ToUnixTimeMilliseconds()) is AckSession previous)
        {
            // The robot reconnected while its old connection still delivers: that one stops taking lines now, and this
            // one takes none until the old one's last batch is in the graph, so the files keep the order of seq.
            previous.Supersede();
            try
            {
                await previous.Ended.WaitAsync(_registry.Options.TakeoverTimeout, _time).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                AckIngestLog.TakeoverSlow(_logger, robot, hello.BootId!, _registry.Options.TakeoverTimeout.TotalSeconds);
            }
        }

        source.BindAcknowledged(robot, hello.BootId!);
        _metrics!.Sessions.WithLabels("accepted").Inc();
        await session.SendAckAsync(stream, stream.Durable).ConfigureAwait(false);
        return (session, false);
    }

    /// <summary>
    /// Decides about one line of an acknowledged connection: true to hand it on. Lines without seq (heartbeats) pass;
    /// re-sends and lines after a takeover are dropped and counted.
    /// </summary>
    public bool Accept(AckSession session, ReadOnlySpan<byte> line, ref Blocks.Acks.AckToken? token, long timestamp, IngestContext context, SourceConnection source)
    {
        var seq = SeqReader.Read(line);
        if (seq <= 0)
        {
            if (seq < 0)
            {
                _metrics!.Unnumbered.Inc(); // a seq, but not one to count with: taken, never acknowledged
            }

            return true;
        }

        switch (session.Stream.Accept(session, seq, ref token, timestamp, out var gapFrom))
        {
            case Blocks.Acks.AckVerdict.Take:
                return true;
            case Blocks.Acks.AckVerdict.Gap:
                Gap(session.Stream, gapFrom, seq - 1, source);
                return true;
            case Blocks.Acks.AckVerdict.Duplicate:
                _metrics!.Duplicates.Inc();
                context.Component.Discarded(DiscardReasons.Duplicate);
                return false;
            case Blocks.Acks.AckVerdict.OutOfRange:
                _metrics!.OutOfRange.Inc();
                context.Component.Discarded(DiscardReasons.SeqOutOfRange);
                context.DeadLetters.Write("ingest", DiscardReasons.SeqOutOfRange, source, line[..Math.Min(line.Length, 1024)]);
                return false;
            default:
                context.Component.Discarded(DiscardReasons.Superseded);
                return false;
        }
    }

    private void Gap(Blocks.Acks.AckStream stream, long from, long to, SourceConnection source)
    {
        var count = to - from + 1;
        _metrics!.Gaps.Inc(count);
        if (_events is null)
        {
            return;
        }

        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("ts", _time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteString("level", "WARNING");
            json.WriteString("type", "seq_gap");
            json.WriteString("robot_id", stream.RobotId);
            json.WriteString("msg", $"robot {stream.RobotId} skipped seq {from}..{to} ({count}) of boot {stream.BootId}");
            json.WriteString("boot_id", stream.BootId);
            json.WriteNumber("from", from);
            json.WriteNumber("to", to);
            json.WriteNumber("count", count);
            json.WriteNumber("connection", source.Id);
            json.WriteEndObject();
        }

        _events.Enqueue(buffer.WrittenSpan.ToArray());
    }

    private async Task RefuseAsync(IRobotLink? link, string error, string message)
    {
        _metrics?.Sessions.WithLabels(error == "acks_unavailable" ? "unavailable" : error).Inc();
        if (link is null)
        {
            return;
        }

        var reply = Encoding.UTF8.GetBytes($"{{\"type\":\"error\",\"error\":\"{error}\",\"message\":{JsonSerializer.Serialize(message)}}}");
        await link.SendReplyAsync(reply).ConfigureAwait(false);
        if (link.CanSend)
        {
            // WebSocket: the close frame says it too. TCP: the connection ends when the framer returns (after the reply).
            link.Close((int)System.Net.WebSockets.WebSocketCloseStatus.InternalServerError, error);
        }
    }
}
