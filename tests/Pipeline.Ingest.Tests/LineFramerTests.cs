using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Blocks.DeadLetters;
using Pipeline.Blocks.Graph;
using Pipeline.Ingest.Tests.Infrastructure;
using Pipeline.Tests.Shared;

namespace Pipeline.Ingest.Tests;

/// <summary>Framing of NDJSON lines from a connection's bytes, over real TCP connections to the real service.</summary>
public sealed class LineFramerTests
{
    private const int SmallLimit = 1024;

    private static readonly Dictionary<string, string> SmallLines = new() { ["Ingest:MaxLineBytes"] = SmallLimit.ToString() };

    [Fact]
    public async Task LinesEndedByNewlineOrCarriageReturnNewlineAreEachOneEvent()
    {
        await using var pipeline = await TestPipeline.StartAsync();

        await pipeline.SendTcpAsync(Ndjson.Bytes(
            "{\"robot_id\":\"r\",\"msg\":\"lf\"}\n" +
            "{\"robot_id\":\"r\",\"msg\":\"crlf\"}\r\n" +
            "{\"robot_id\":\"r\",\"msg\":\"lf again\",\"n\":1}\n" +
            "{\"robot_id\":\"r\",\"msg\":\"crlf last\",\"n\":2}\r\n"));
        await pipeline.StopAsync();

        var events = LoggedEvent.ReadAll(pipeline);
        Assert.Equal(["lf", "crlf", "lf again", "crlf last"], events.Select(e => e.Msg));
        Assert.DoesNotContain(events, e => e.Json.Contains('\r'));
        Assert.Equal(4, pipeline.Metric("pipeline_ingest_events_total", "tcp"));
        Assert.Empty(pipeline.ReadDeadLetters());
    }

    [Fact]
    public async Task LinesSentOneByteAtATimeAreFramedWhole()
    {
        await using var pipeline = await TestPipeline.StartAsync();
        var payload = Ndjson.Bytes(
            Ndjson.Line("r", "first") +
            "{\"robot_id\":\"r\",\"msg\":\"second\"}\r\n" +
            Ndjson.Line("r", "third"));

        using (var peer = await TcpPeer.ConnectAsync(pipeline))
        {
            await peer.TrickleAsync(payload, chunk: 1);
            await peer.CloseAsync();
        }

        await pipeline.StopAsync();

        Assert.Equal(["first", "second", "third"], LoggedEvent.ReadAll(pipeline).Select(e => e.Msg));
        Assert.Equal(payload.Length, pipeline.Metric("pipeline_ingest_bytes_total", "tcp"));
        Assert.Empty(pipeline.ReadDeadLetters());
    }

    [Fact]
    public async Task LinesSplitAtEveryByteBoundaryAcrossTwoWritesAreFramedWhole()
    {
        await using var pipeline = await TestPipeline.StartAsync();
        var payload = Ndjson.Bytes(Ndjson.Line("r", "one") + "{\"robot_id\":\"r\",\"msg\":\"two\"}\r\n");

        for (var split = 1; split < payload.Length; split++)
        {
            using var peer = await TcpPeer.ConnectAsync(pipeline);
            await peer.SendAsync(payload[..split]);
            await peer.SendAsync(payload[split..]);
            await peer.CloseAsync();
        }

        await pipeline.StopAsync();

        var events = LoggedEvent.ReadAll(pipeline);
        Assert.Equal(2 * (payload.Length - 1), events.Count);
        Assert.Equal(payload.Length - 1, events.Count(e => e.Msg == "one"));
        Assert.Equal(payload.Length - 1, events.Count(e => e.Msg == "two"));
        Assert.Empty(pipeline.ReadDeadLetters());
    }

    [Fact]
    public async Task SingleLineOnAnOpenConnectionReachesTheGraphWithoutMoreInput()
    {
        var sink = new RecordingSink();
        await using var pipeline = await TestPipeline.StartAsync(services: s => s.AddSingleton<IEventSink>(sink));
        using var peer = await TcpPeer.ConnectAsync(pipeline);

        // The connection stays open and sends nothing more: only the flush interval can hand the
        // partial batch on. Without it this wait times out.
        await peer.SendAsync(Ndjson.Line("quiet-robot", "alone"));
        await sink.WaitForMessagesAsync("alone");

        Assert.Equal(0, pipeline.ClosedCount);
        var e = Assert.Single(sink.Events);
        Assert.Equal("tcp", e.Protocol);
        Assert.Equal("quiet-robot", e.RobotId);
    }

    [Fact]
    public async Task LineLongerThanTheLimitInOneWriteIsDiscardedAndTheConnectionGoesOn()
    {
        await using var pipeline = await TestPipeline.StartAsync(SmallLines);
        using var bystander = await Bystander.ConnectAsync(pipeline);
        await bystander.SendAsync(5);
        var longLine = Ndjson.LineOfLength("too long", 2 * SmallLimit);

        using (var peer = await TcpPeer.ConnectAsync(pipeline))
        {
            await peer.SendAsync(Ndjson.Line("r", "before") + longLine + "\n" + Ndjson.Line("r", "after"));
            await peer.CloseAsync();
        }

        var events = await bystander.FinishAsync(pipeline);

        Assert.Equal(1, pipeline.Metric("pipeline_component_discarded_events_total", "ingest", DiscardReasons.LineTooLong));
        Assert.Equal(["before", "after"], events.Where(e => e.RobotId == "r").Select(e => e.Msg));
        Assert.DoesNotContain(events, e => e.Msg == "too long");
        var letter = Assert.Single(DeadLetter.ReadAll(pipeline));
        Assert.Equal(("ingest", DiscardReasons.LineTooLong, "tcp"), (letter.Component, letter.Reason, letter.Protocol));
        Assert.True(letter.Length > SmallLimit, $"length {letter.Length}");
        Assert.Equal(Encoding.UTF8.GetBytes(longLine)[..letter.FirstBytes.Length], letter.FirstBytes);
        Assert.InRange(letter.FirstBytes.Length, 64, 1024);
    }

    [Fact]
    public async Task LineLongerThanTheLimitTrickledAcrossManyWritesIsDiscardedAndTheConnectionGoesOn()
    {
        await using var pipeline = await TestPipeline.StartAsync(SmallLines);
        using var bystander = await Bystander.ConnectAsync(pipeline);
        await bystander.SendAsync(5);
        var longLine = Ndjson.LineOfLength("too long", 5 * SmallLimit);

        using (var peer = await TcpPeer.ConnectAsync(pipeline))
        {
            await peer.SendAsync(Ndjson.Line("r", "before"));
            await peer.TrickleAsync(Ndjson.Bytes(longLine + "\n"), chunk: 100);
            await peer.SendAsync(Ndjson.Line("r", "after"));
            await peer.CloseAsync();
        }

        var events = await bystander.FinishAsync(pipeline);

        Assert.Equal(1, pipeline.Metric("pipeline_component_discarded_events_total", "ingest", DiscardReasons.LineTooLong));
        Assert.Equal(["before", "after"], events.Where(e => e.RobotId == "r").Select(e => e.Msg));
        var letter = Assert.Single(DeadLetter.ReadAll(pipeline));
        Assert.Equal(("ingest", DiscardReasons.LineTooLong, "tcp"), (letter.Component, letter.Reason, letter.Protocol));
        Assert.Equal(Encoding.UTF8.GetBytes(longLine)[..letter.FirstBytes.Length], letter.FirstBytes);
    }

    [Fact]
    public async Task LineOverTheDefaultLimitTrickledInSocketSizedWritesIsDiscardedWithoutStallingTheConnection()
    {
        // The default limit end to end. The transport pauses reading at MaxLineBytes + 64 KiB, so it can
        // never stop at exactly the limit before the framer has seen the line is too long (a stall that
        // needs the buffered bytes to land on the limit to the byte, which a test cannot force).
        await using var pipeline = await TestPipeline.StartAsync();
        var longLine = Ndjson.LineOfLength("too long", 1536 * 1024);

        using (var peer = await TcpPeer.ConnectAsync(pipeline))
        {
            await peer.SendAsync(Ndjson.Line("r", "before"));
            await peer.TrickleAsync(Ndjson.Bytes(longLine + "\n"), chunk: 4096);
            await peer.SendAsync(Ndjson.Line("r", "after"));
            await peer.CloseAsync();
        }

        await pipeline.StopAsync();

        Assert.Equal(1, pipeline.Metric("pipeline_component_discarded_events_total", "ingest", DiscardReasons.LineTooLong));
        var events = LoggedEvent.ReadAll(pipeline);
        Assert.Equal(["before", "after"], events.Where(e => e.RobotId == "r").Select(e => e.Msg));
    }

    [Fact]
    public async Task LineOfExactlyTheLimitIsAcceptedWithEitherTerminator()
    {
        await using var pipeline = await TestPipeline.StartAsync(SmallLines);

        await pipeline.SendTcpAsync(Ndjson.Bytes(
            Ndjson.LineOfLength("lf at limit", SmallLimit) + "\n" +
            Ndjson.LineOfLength("crlf at limit", SmallLimit) + "\r\n" +
            Ndjson.LineOfLength("one over", SmallLimit + 1) + "\n"));
        await pipeline.StopAsync();

        Assert.Equal(["lf at limit", "crlf at limit"], LoggedEvent.ReadAll(pipeline).Select(e => e.Msg));
        Assert.Equal(1, pipeline.Metric("pipeline_component_discarded_events_total", "ingest", DiscardReasons.LineTooLong));
    }

    [Fact]
    public async Task LineOfExactlyTheLimitIsAcceptedWhenItsCarriageReturnArrivesBeforeItsNewline()
    {
        var sink = new RecordingSink();
        await using var pipeline = await TestPipeline.StartAsync(SmallLines, s => s.AddSingleton<IEventSink>(sink));
        using (var peer = await TcpPeer.ConnectAsync(pipeline))
        {
            // One write: a short line, then a line of exactly the limit and its '\r' but not yet its '\n'.
            // The short line reaching the graph (by the flush interval) shows the server has read that write.
            await peer.SendAsync(Ndjson.Line("r", "sync") + Ndjson.LineOfLength("at limit", SmallLimit) + "\r");
            await sink.WaitForMessagesAsync("sync");
            await peer.SendAsync("\n" + Ndjson.Line("r", "after"));
            await peer.CloseAsync();
        }

        await pipeline.StopAsync();

        // The same bytes in one write are accepted (test above): framing must not depend on how TCP split them.
        Assert.Equal(0, pipeline.Metric("pipeline_component_discarded_events_total", "ingest", DiscardReasons.LineTooLong));
        Assert.Equal(["sync", "at limit", "after"], LoggedEvent.ReadAll(pipeline).Select(e => e.Msg));
    }

    [Fact]
    public async Task HalfALineThenDisconnectIsCountedAndDeadLetteredAsTruncated()
    {
        await using var pipeline = await TestPipeline.StartAsync();
        using var bystander = await Bystander.ConnectAsync(pipeline);
        await bystander.SendAsync(5);
        const string half = "{\"robot_id\":\"r\",\"msg\":\"cut in ha";

        using (var peer = await TcpPeer.ConnectAsync(pipeline))
        {
            await peer.SendAsync(Ndjson.Line("r", "before") + half);
            await peer.CloseAsync();
        }

        var events = await bystander.FinishAsync(pipeline);

        Assert.Equal(1, pipeline.Metric("pipeline_component_discarded_events_total", "ingest", DiscardReasons.TruncatedLine));
        Assert.Equal(["before"], events.Where(e => e.RobotId == "r").Select(e => e.Msg));
        var letter = Assert.Single(DeadLetter.ReadAll(pipeline));
        Assert.Equal(("ingest", DiscardReasons.TruncatedLine, "tcp"), (letter.Component, letter.Reason, letter.Protocol));
        Assert.Equal(half, Encoding.UTF8.GetString(letter.FirstBytes));
    }

    [Fact]
    public async Task EmptyLinesAreCountedButNotDeadLettered()
    {
        await using var pipeline = await TestPipeline.StartAsync();
        using var bystander = await Bystander.ConnectAsync(pipeline);
        await bystander.SendAsync(5);

        using (var peer = await TcpPeer.ConnectAsync(pipeline))
        {
            await peer.SendAsync("\n" + Ndjson.Line("r", "before") + "\r\n   \n\t\n" + Ndjson.Line("r", "after") + "\n");
            await peer.CloseAsync();
        }

        var events = await bystander.FinishAsync(pipeline);

        Assert.Equal(5, pipeline.Metric("pipeline_component_discarded_events_total", "parse", DiscardReasons.EmptyLine));
        Assert.Equal(["before", "after"], events.Where(e => e.RobotId == "r").Select(e => e.Msg));
        Assert.Empty(pipeline.ReadDeadLetters());
    }

    [Fact]
    public async Task ClientThatSendsNothingIsClosedAfterTheIdleTimeout()
    {
        await using var pipeline = await TestPipeline.StartAsync(new Dictionary<string, string> { ["Ingest:IdleTimeout"] = "00:00:00.300" });
        using var quiet = await TcpPeer.ConnectAsync(pipeline);
        using var bystander = await Bystander.ConnectAsync(pipeline);
        await bystander.SendAsync(10);
        await bystander.CloseAsync();

        // The server closes the quiet connection: the read ends with nothing received.
        Assert.Empty(await quiet.ReadToEndAsync());
        await pipeline.WaitForClosedConnectionsAsync(2);
        await HttpProbe.AssertStillUpAsync(pipeline);
        await pipeline.StopAsync();

        Assert.Equal(1, pipeline.Metric("pipeline_ingest_connections_closed_total", "tcp", "idle_timeout"));
        Assert.Equal(1, pipeline.Metric("pipeline_ingest_connections_closed_total", "tcp", "eof"));
        Assert.Equal(["eof", "idle_timeout"], pipeline.ClosedConnections.Select(c => c.Reason).Order());
        bystander.AssertAllArrived(LoggedEvent.ReadAll(pipeline));
        Assert.Empty(pipeline.ReadDeadLetters());
    }

    [Fact]
    public async Task IdleTimeoutDeadLettersAPendingPartialLineAsTruncated()
    {
        await using var pipeline = await TestPipeline.StartAsync(new Dictionary<string, string> { ["Ingest:IdleTimeout"] = "00:00:00.300" });
        using var peer = await TcpPeer.ConnectAsync(pipeline);

        await peer.SendAsync(Ndjson.Line("r", "complete") + "{\"msg\":\"never fin");
        Assert.Empty(await peer.ReadToEndAsync());
        await pipeline.StopAsync();

        Assert.Equal(1, pipeline.Metric("pipeline_ingest_connections_closed_total", "tcp", "idle_timeout"));
        Assert.Equal(1, pipeline.Metric("pipeline_component_discarded_events_total", "ingest", DiscardReasons.TruncatedLine));
        Assert.Equal(["complete"], LoggedEvent.ReadAll(pipeline).Select(e => e.Msg));
        var letter = Assert.Single(DeadLetter.ReadAll(pipeline));
        Assert.Equal("{\"msg\":\"never fin", Encoding.UTF8.GetString(letter.FirstBytes));
    }
}
