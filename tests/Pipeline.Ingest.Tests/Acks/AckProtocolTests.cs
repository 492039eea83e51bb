using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Storage.Acks;
using Pipeline.Tests.Shared;

namespace Pipeline.Ingest.Tests.Acks;

/// <summary>The ack protocol (docs/acks.md) against the real service: real sockets, the real files sink, real fsyncs.</summary>
public sealed class AckProtocolTests
{
    private static List<JsonElement> Numbered(TestPipeline pipeline, string boot) =>
        [.. pipeline.ReadLogLines().Select(l => JsonDocument.Parse(l).RootElement.Clone())
            .Where(e => e.TryGetProperty("boot_id", out var b) && b.GetString() == boot)];

    private static AckMetrics Acks(TestPipeline pipeline) => pipeline.Services.GetRequiredService<AckMetrics>();

    private static long Seq(JsonElement e) => e.GetProperty("attrs").GetProperty("seq").GetInt64();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Events_are_acknowledged_once_durable_and_carry_boot_id_and_seq_in_the_files(bool webSocket)
    {
        await using var pipeline = await TestPipeline.StartAsync();
        var (peer, resume) = await AckPeer.HelloAsync(pipeline, webSocket, "r1", "boot-a");
        Assert.Equal(0, resume);

        await peer.SendEventsAsync(1, 100);
        await peer.WaitForAckAsync(100);
        Assert.True(pipeline.Metric("pipeline_sink_fsyncs_total", "files") >= 1);
        await peer.CloseAsync();
        await peer.DisposeAsync();
        await pipeline.StopAsync();

        var events = Numbered(pipeline, "boot-a");
        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), events.Select(Seq));
        Assert.All(events, e => Assert.Equal("r1", e.GetProperty("robot_id").GetString()));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_re_send_after_a_reconnect_is_dropped_and_counted_never_written_twice(bool webSocket)
    {
        await using var pipeline = await TestPipeline.StartAsync();
        var (first, _) = await AckPeer.HelloAsync(pipeline, webSocket, "r1", "boot-b");
        await first.SendEventsAsync(1, 60);
        await first.WaitForAckAsync(60);
        first.Abort();
        await first.DisposeAsync();

        var (second, resume) = await AckPeer.HelloAsync(pipeline, webSocket, "r1", "boot-b");
        Assert.Equal(60, resume);
        // A client that did not see the ack re-sends everything: only 61..90 are new.
        await second.SendEventsAsync(1, 90);
        await second.WaitForAckAsync(90);
        await second.CloseAsync();
        await second.DisposeAsync();
        await pipeline.StopAsync();

        Assert.Equal(Enumerable.Range(1, 90).Select(i => (long)i), Numbered(pipeline, "boot-b").Select(Seq));
        Assert.Equal(60, pipeline.Metric("pipeline_component_discarded_events_total", "ingest", "duplicate"));
    }

    [Fact]
    public async Task A_robot_that_half_closes_after_its_last_line_hears_the_ack_of_everything_before_the_close()
    {
        await using var pipeline = await TestPipeline.StartAsync();
        var (peer, _) = await AckPeer.HelloAsync(pipeline, false, "r1", "boot-eof");
        await peer.SendEventsAsync(1, 25);
        await peer.CloseAsync(); // FIN, then read until the server closes

        Assert.Contains(25L, peer.UnreadAcks());
        await peer.DisposeAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Three_aborts_in_quick_succession_leave_every_seq_once_and_in_order(bool webSocket)
    {
        const int Total = 30_000;
        await using var pipeline = await TestPipeline.StartAsync();
        for (var round = 1; round <= 3; round++)
        {
            // Each connection sends up to the next 10,000 and drops at once: a partial batch is left behind each time.
            var (dropped, from) = await AckPeer.HelloAsync(pipeline, webSocket, "r1", "boot-aborts");
            for (var start = from + 1; start <= round * 10_000; start += 500)
            {
                await dropped.SendEventsAsync(start, Math.Min(start + 499, round * 10_000));
            }

            dropped.Abort();
            await dropped.DisposeAsync();
        }

        var (last, resume) = await AckPeer.HelloAsync(pipeline, webSocket, "r1", "boot-aborts");
        for (var start = resume + 1; start <= Total; start += 500)
        {
            await last.SendEventsAsync(start, Math.Min(start + 499, Total));
        }

        if (resume < Total)
        {
            await last.WaitForAckAsync(Total); // else the resume ack said it all: everything was durable already
        }

        await last.CloseAsync();
        await last.DisposeAsync();
        await pipeline.StopAsync();

        Assert.Equal(Enumerable.Range(1, Total).Select(i => (long)i), Numbered(pipeline, "boot-aborts").Select(Seq));
    }

    [Fact]
    public async Task Another_boot_of_the_same_robot_counts_from_one_again()
    {
        await using var pipeline = await TestPipeline.StartAsync();
        var (a, _) = await AckPeer.HelloAsync(pipeline, false, "r1", "boot-1");
        await a.SendEventsAsync(1, 5);
        await a.WaitForAckAsync(5);
        await a.CloseAsync();
        await a.DisposeAsync();

        var (b, resume) = await AckPeer.HelloAsync(pipeline, false, "r1", "boot-2");
        Assert.Equal(0, resume);
        await b.SendEventsAsync(1, 5);
        await b.WaitForAckAsync(5);
        await b.CloseAsync();
        await b.DisposeAsync();
        await pipeline.StopAsync();

        Assert.Equal(5, Numbered(pipeline, "boot-1").Count);
        Assert.Equal(5, Numbered(pipeline, "boot-2").Count);
    }

    [Fact]
    public async Task A_skipped_seq_is_counted_and_reported_as_a_seq_gap_event()
    {
        await using var pipeline = await TestPipeline.StartAsync();
        var (peer, _) = await AckPeer.HelloAsync(pipeline, false, "r1", "boot-g");
        await peer.SendAsync(AckPeer.Event(1), AckPeer.Event(2), AckPeer.Event(6));
        await peer.WaitForAckAsync(6);
        await peer.CloseAsync();
        await peer.DisposeAsync();
        await pipeline.StopAsync();

        Assert.Equal(3, Acks(pipeline).Gaps.Value);
        var gap = Assert.Single(pipeline.ReadLogLines().Select(l => JsonDocument.Parse(l).RootElement), e => e.TryGetProperty("type", out var t) && t.GetString() == "seq_gap");
        var attrs = gap.GetProperty("attrs");
        Assert.Equal("r1", gap.GetProperty("robot_id").GetString());
        Assert.Equal(3, attrs.GetProperty("from").GetInt64());
        Assert.Equal(5, attrs.GetProperty("to").GetInt64());
        Assert.Equal("boot-g", attrs.GetProperty("boot_id").GetString());
    }

    [Fact]
    public async Task Events_without_robot_id_belong_to_the_hellos_robot_and_another_robots_are_refused()
    {
        await using var pipeline = await TestPipeline.StartAsync();
        var (peer, _) = await AckPeer.HelloAsync(pipeline, false, "r7", "boot-r");
        await peer.SendAsync("{\"seq\":1,\"msg\":\"mine\"}", "{\"seq\":2,\"robot_id\":\"r8\",\"msg\":\"not mine\"}");
        await peer.WaitForAckAsync(2);
        await peer.CloseAsync();
        await peer.DisposeAsync();
        await pipeline.StopAsync();

        var only = Assert.Single(Numbered(pipeline, "boot-r"));
        Assert.Equal("r7", only.GetProperty("robot_id").GetString());
        Assert.Equal(1, pipeline.Metric("pipeline_component_discarded_events_total", "parse", "robot_id_mismatch"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Without_the_files_sink_a_hello_that_asks_for_acks_is_told_acks_unavailable_and_closed(bool webSocket)
    {
        await using var pipeline = await TestPipeline.StartAsync(new Dictionary<string, string> { ["Sinks:Files:Enabled"] = "false" });
        await using var peer = await AckPeer.ConnectAsync(pipeline, webSocket);
        await peer.SendAsync(AckPeer.Hello("r1", "boot-u"), AckPeer.Event(1));

        var error = await peer.NextAsync();
        Assert.Equal("error", error.GetProperty("type").GetString());
        Assert.Equal("acks_unavailable", error.GetProperty("error").GetString());
        Assert.Contains("Pipeline:Sinks:Files:Enabled", error.GetProperty("message").GetString());
        await peer.Closed.WaitAsync(TimeSpan.FromSeconds(30));
        if (webSocket)
        {
            Assert.Equal(WebSocketCloseStatus.InternalServerError, peer.CloseStatus);
        }
    }

    [Theory]
    [InlineData("{\"type\":\"hello\",\"robot_id\":\"r1\",\"acks\":true}", "boot_id")]
    [InlineData("{\"type\":\"hello\",\"boot_id\":\"b\",\"acks\":true}", "robot_id")]
    public async Task A_hello_that_asks_for_acks_without_what_they_need_is_a_bad_hello(string hello, string named)
    {
        await using var pipeline = await TestPipeline.StartAsync();
        await using var peer = await AckPeer.ConnectAsync(pipeline, webSocket: false);
        await peer.SendAsync(hello);

        var error = await peer.NextAsync();
        Assert.Equal("bad_hello", error.GetProperty("error").GetString());
        Assert.Contains(named, error.GetProperty("message").GetString());
        await peer.Closed.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, Acks(pipeline).Sessions.WithLabels("bad_hello").Value);
    }

    [Fact]
    public async Task A_hello_with_a_boot_id_longer_than_128_characters_is_a_bad_hello()
    {
        await using var pipeline = await TestPipeline.StartAsync();
        await using var peer = await AckPeer.ConnectAsync(pipeline, webSocket: false);
        await peer.SendAsync(AckPeer.Hello("r1", new string('b', 129)));

        var error = await peer.NextAsync();
        Assert.Equal("bad_hello", error.GetProperty("error").GetString());
        Assert.Contains("128", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_new_connection_of_the_same_boot_takes_over_and_the_old_one_is_closed_with_4409()
    {
        await using var pipeline = await TestPipeline.StartAsync();
        var (old, _) = await AckPeer.HelloAsync(pipeline, true, "r1", "boot-t");
        await old.SendEventsAsync(1, 10);
        await old.WaitForAckAsync(10);

        var (current, resume) = await AckPeer.HelloAsync(pipeline, true, "r1", "boot-t");
        await old.Closed.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal((WebSocketCloseStatus)4409, old.CloseStatus);
        Assert.Equal(10, resume);
        await current.SendEventsAsync(11, 20);
        await current.WaitForAckAsync(20);
        await current.CloseAsync();
        await current.DisposeAsync();
        await old.DisposeAsync();
        await pipeline.StopAsync();

        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), Numbered(pipeline, "boot-t").Select(Seq));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task After_a_restart_the_service_resumes_each_boot_after_its_highest_durable_seq(bool deleteSnapshot)
    {
        await using var first = await TestPipeline.StartAsync();
        var (peer, _) = await AckPeer.HelloAsync(first, false, "r1", "boot-s");
        await peer.SendEventsAsync(1, 40);
        await peer.WaitForAckAsync(40);
        await peer.CloseAsync();
        await peer.DisposeAsync();
        await first.StopAsync();
        var snapshot = Path.Combine(first.DataDir, "acks", "streams.json");
        Assert.True(File.Exists(snapshot));
        if (deleteSnapshot)
        {
            // Without the snapshot the files themselves say what is durable.
            File.Delete(snapshot);
        }

        await using var second = await TestPipeline.StartAsync(dataDir: first.DataDir);
        var (again, resume) = await AckPeer.HelloAsync(second, false, "r1", "boot-s");
        Assert.Equal(40, resume);
        await again.SendEventsAsync(1, 45);
        await again.WaitForAckAsync(45);
        await again.CloseAsync();
        await again.DisposeAsync();
        await second.StopAsync();

        Assert.Equal(Enumerable.Range(1, 45).Select(i => (long)i), Numbered(second, "boot-s").Select(Seq));
    }

    [Fact]
    public async Task A_damaged_snapshot_is_read_from_the_files_instead()
    {
        await using var first = await TestPipeline.StartAsync();
        var (peer, _) = await AckPeer.HelloAsync(first, false, "r1", "boot-d");
        await peer.SendEventsAsync(1, 7);
        await peer.WaitForAckAsync(7);
        await peer.CloseAsync();
        await peer.DisposeAsync();
        await first.StopAsync();
        await File.WriteAllTextAsync(Path.Combine(first.DataDir, "acks", "streams.json"), "{\"version\":1,\"streams\":[");

        await using var second = await TestPipeline.StartAsync(dataDir: first.DataDir);
        var (again, resume) = await AckPeer.HelloAsync(second, false, "r1", "boot-d");
        Assert.Equal(7, resume);
        await again.DisposeAsync();
    }

    [Fact]
    public async Task A_seq_that_is_not_a_positive_integer_is_counted_and_its_event_kept_unacknowledged()
    {
        await using var pipeline = await TestPipeline.StartAsync();
        var (peer, _) = await AckPeer.HelloAsync(pipeline, false, "r1", "boot-str");
        await peer.SendAsync("{\"seq\":\"7\",\"msg\":\"string seq\"}", "{\"seq\":-1,\"msg\":\"negative seq\"}", AckPeer.Event(1));
        await peer.WaitForAckAsync(1);
        await peer.CloseAsync();
        await peer.DisposeAsync();
        await pipeline.StopAsync();

        Assert.Equal(2, Acks(pipeline).Unnumbered.Value);
        var lines = pipeline.ReadLogLines();
        Assert.Contains(lines, l => l.Contains("string seq", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("negative seq", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_seq_implausibly_far_ahead_is_dead_lettered_and_later_seqs_still_count()
    {
        await using var pipeline = await TestPipeline.StartAsync();
        var (peer, _) = await AckPeer.HelloAsync(pipeline, false, "r1", "boot-far");
        await peer.SendAsync(AckPeer.Event(1), AckPeer.Event(9_000_000_000_000_000_000), AckPeer.Event(2), AckPeer.Event(3));
        await peer.WaitForAckAsync(3);
        await peer.CloseAsync();
        await peer.DisposeAsync();
        await pipeline.StopAsync();

        Assert.Equal(1, Acks(pipeline).OutOfRange.Value);
        Assert.Equal(1, pipeline.Metric("pipeline_component_discarded_events_total", "ingest", "seq_out_of_range"));
        Assert.Contains(pipeline.ReadDeadLetters(), l => l.Contains("seq_out_of_range", StringComparison.Ordinal));
        Assert.Equal([1L, 2L, 3L], Numbered(pipeline, "boot-far").Select(Seq));
    }

    [Fact]
    public async Task Lines_without_seq_on_an_acknowledged_connection_pass_as_usual()
    {
        await using var pipeline = await TestPipeline.StartAsync();
        var (peer, _) = await AckPeer.HelloAsync(pipeline, false, "r1", "boot-h");
        await peer.SendAsync("{\"type\":\"heartbeat\"}", AckPeer.Event(1), "{\"msg\":\"no seq\",\"level\":\"INFO\"}");
        await peer.WaitForAckAsync(1);
        await peer.CloseAsync();
        await peer.DisposeAsync();
        await pipeline.StopAsync();

        Assert.Contains(pipeline.ReadLogLines(), l => l.Contains("\"msg\":\"no seq\"", StringComparison.Ordinal));
    }
}
