using System.Text;
using System.Text.RegularExpressions;
using K4os.Compression.LZ4.Streams;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Pipeline.Blocks.Graph;
using Pipeline.RabbitMq.Tests.Infrastructure;
using Pipeline.Tests.Shared;

namespace Pipeline.RabbitMq.Tests.Service;

/// <summary>
/// The RabbitMQ sink inside the real service (TCP in, SinkRunner, fan-out, files) against the broker
/// test.sh starts. Each test binds only what it sends (a type or robot id of its own), so tests
/// sharing the broker and the pipeline.events exchange do not see each other's messages.
/// </summary>
public sealed partial class RabbitMqSinkServiceTests
{
    private static readonly string Unique = Guid.NewGuid().ToString("N")[..8];

    [RabbitMqFact]
    public async Task EventModeDeliversEveryTcpEventToADurableQueueWithTheLineOfTheFilesItsKeyAndHeaders()
    {
        var type = "ev" + Unique;
        await using var queue = await Broker.QueueAsync(Broker.SharedUri, "pipeline.events", Broker.NewName("svc.event"), [$"*.{type}.*"], durable: true);
        await using var service = await RabbitMqService.StartAsync(RabbitMqService.Settings(Broker.SharedUri));

        await service.Pipeline.SendTcpAsync(RabbitMqService.Lines(1, 300, type));
        var messages = await queue.WaitForAsync(300);
        await service.Pipeline.StopAsync();

        var lines = service.Pipeline.ReadLogLines().ToDictionary(RabbitMqService.Seq);
        Assert.Equal(300, lines.Count);
        Assert.Equal(300, messages.Count);
        Assert.Equal(Enumerable.Range(1, 300), messages.Select(m => RabbitMqService.Seq(m.Text))); // one connection: in order
        foreach (var m in messages)
        {
            var seq = RabbitMqService.Seq(m.Text);
            var level = seq % 4 == 0 ? "ERROR" : "INFO";
            Assert.Equal(lines[seq] + "\n", m.Text);
            Assert.Equal("pipeline.events", m.Exchange);
            Assert.Equal($"{level.ToLowerInvariant()}.{type}.r{seq % 3}", m.RoutingKey);
            Assert.Equal("application/json", m.ContentType);
            Assert.Null(m.ContentEncoding);
            Assert.True(m.Persistent);
            Assert.Equal($"r{seq % 3}", m.Header("x-robot-id"));
            Assert.Equal(level, m.Header("x-level"));
            Assert.Null(m.Header("x-level-code")); // sent as a name, not a code
            Assert.Equal(TemplateId(lines[seq]), m.Header("x-template-id"));
        }

        Assert.Equal(300, service.Written);
    }

    [RabbitMqFact]
    public async Task BatchModeSendsOneLz4NdjsonMessagePerSealedBatchWithMixedForTheKeyPartsItsEventsDifferIn()
    {
        var type = "bt" + Unique;
        await using var queue = await Broker.QueueAsync(Broker.SharedUri, "pipeline.events", Broker.NewName("svc.batch"), ["#"], durable: true);
        var settings = RabbitMqService.Settings(Broker.SharedUri);
        settings["Sinks:RabbitMq:Mode"] = "Batch";
        // A route of this test's own, so the queue sees only this test's events: one target, one message per sealed batch.
        settings["Sinks:RabbitMq:PublishUnmatched"] = "false";
        settings["Routes:0:Match:Types:0"] = type;
        settings["Routes:0:RabbitMq:RoutingKey"] = $"{type}.{{level}}.{{type}}.{{robot_id}}";
        await queue.Channel.QueueUnbindAsync(queue.Queue, "pipeline.events", "#");
        await queue.Channel.QueueBindAsync(queue.Queue, "pipeline.events", $"{type}.#");
        await using var service = await RabbitMqService.StartAsync(settings);

        await service.Pipeline.SendTcpAsync(RabbitMqService.Lines(1, 300, type)); // robots and levels differ
        await service.Pipeline.SendTcpAsync(Encoding.UTF8.GetBytes(RabbitMqService.Line(301, type) + "\n")); // one robot, one level
        await service.Acknowledged.WaitForAsync(301);
        await service.Pipeline.StopAsync();

        var batches = service.Runner.BatchesWritten;
        var messages = await queue.WaitForAsync((int)batches);
        Assert.Equal(batches, messages.Count); // one message per sealed batch (one target)
        var lines = service.Pipeline.ReadLogLines().ToDictionary(RabbitMqService.Seq);
        var seen = new List<int>();
        foreach (var m in messages)
        {
            Assert.Equal("application/x-ndjson", m.ContentType);
            Assert.Equal("lz4", m.ContentEncoding);
            Assert.True(m.Persistent);
            var body = Encoding.UTF8.GetString(LZ4Frame.Decode(m.Body.AsSpan(), new System.Buffers.ArrayBufferWriter<byte>()).WrittenSpan);
            var events = body.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(events.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), m.Header("x-event-count"));
            var seqs = events.Select(RabbitMqService.Seq).ToList();
            foreach (var (line, seq) in events.Zip(seqs))
            {
                Assert.Equal(lines[seq], line);
            }

            var robots = seqs.Select(s => $"r{s % 3}").Distinct().ToList();
            var levels = seqs.Select(s => s % 4 == 0 ? "ERROR" : "INFO").Distinct().ToList();
            var robot = robots.Count == 1 ? robots[0] : "mixed";
            var level = levels.Count == 1 ? levels[0].ToLowerInvariant() : "mixed";
            Assert.Equal($"{type}.{level}.{type}.{robot}", m.RoutingKey);
            Assert.Equal(robots.Count == 1 ? robots[0] : null, m.Header("x-robot-id"));
            Assert.Equal(levels.Count == 1 ? levels[0] : null, m.Header("x-level"));
            seen.AddRange(seqs);
        }

        Assert.Equal(Enumerable.Range(1, 301), seen);
        Assert.Contains(messages, m => m.RoutingKey == $"{type}.mixed.{type}.mixed");
        Assert.Equal(301, service.Written);
    }

    /// <summary>
    /// docs/examples/rabbitmq-level-matrix.json as it is (only the broker's URI replaced), its queues
    /// declared as it says but bound to this test's robot. Stopping the service drains the sink, so
    /// after it nothing more can arrive and the queue depths are final.
    /// </summary>
    [RabbitMqFact]
    public async Task TheLevelMatrixConfigFromTheReadmeLandsEachLevelCodeInExactlyItsQueuesThroughTheService()
    {
        var config = new ConfigurationBuilder().AddJsonFile(Path.Combine(AppContext.BaseDirectory, "rabbitmq-level-matrix.json")).Build();
        var settings = new Dictionary<string, string>();
        foreach (var (key, value) in config.GetSection("Pipeline").AsEnumerable(makePathsRelative: true))
        {
            if (value is not null)
            {
                settings[key] = value;
            }
        }

        settings["Sinks:RabbitMq:Uri"] = Broker.SharedUri;
        var robot = "lm" + Unique;
        var queues = new Dictionary<string, QueueReader>();
        foreach (var (name, binding) in config.GetSection("Queues").AsEnumerable(makePathsRelative: true).Where(kv => kv.Value is not null))
        {
            // "logstore.#" → "logstore.*.<robot>": the key is <route>.{level_code}.{robot_id}.
            var bound = binding!.Replace("#", "*." + robot, StringComparison.Ordinal);
            queues[name] = await Broker.QueueAsync(Broker.SharedUri, "pipeline.events", Broker.NewName(name), [bound], durable: true);
        }

        try
        {
            Assert.Equal(["fleet.customer", "fleet.developer", "fleet.logstore"], queues.Keys.Order());
            int[] codes = [0, 1, 9, 11, 91, 99];
            const int each = 5;
            var text = new StringBuilder();
            var seq = 0;
            foreach (var code in codes)
            {
                for (var i = 0; i < each; i++)
                {
                    text.Append($"{{\"ts\":\"2025-06-15T12:00:00.000Z\",\"robot_id\":\"{robot}\",\"level\":{code},\"type\":\"mq\",\"msg\":\"coded {seq}\",\"seq\":{seq}}}\n");
                    seq++;
                }
            }

            await using var service = await RabbitMqService.StartAsync(settings);
            await service.Pipeline.SendTcpAsync(Encoding.UTF8.GetBytes(text.ToString()));
            await service.Pipeline.StopAsync();

            var expected = new Dictionary<string, int[]>
            {
                ["fleet.logstore"] = [1, 9, 11, 91],
                ["fleet.developer"] = [9, 91],
                ["fleet.customer"] = [11, 91],
            };
            Assert.Equal(expected.Values.Sum(c => c.Length) * each, service.Written); // deliveries
            Assert.Equal(codes.Length * each, service.Pipeline.ReadLogLines().Count); // 0 and 99 stay local
            foreach (var (name, levelCodes) in expected)
            {
                var queue = queues[name];
                Assert.Equal((uint)(levelCodes.Length * each), await queue.BrokerCountAsync());
                var messages = await queue.WaitForAsync(levelCodes.Length * each);
                Assert.Equal(levelCodes.SelectMany(c => Enumerable.Repeat(c.ToString(System.Globalization.CultureInfo.InvariantCulture), each)),
                    messages.Select(m => m.Header("x-level-code")));
                Assert.All(messages, m => Assert.StartsWith(name["fleet.".Length..] + ".", m.RoutingKey, StringComparison.Ordinal));
            }
        }
        finally
        {
            foreach (var queue in queues.Values)
            {
                await queue.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// A queue that holds 100 and rejects publishes beyond (x-overflow=reject-publish): the broker nacks,
    /// the runner retries and spools, and only confirmed messages count as written — at any moment no
    /// more than the queue holds plus what a consumer took. Once a consumer drains it, everything arrives.
    /// </summary>
    [RabbitMqFact]
    public async Task AFullQueueNacksAndTheServiceRetriesSpoolsCountsOnlyWhatWasConfirmedAndDeliversAllOnceItDrains()
    {
        var exchange = Broker.NewName("svc.full");
        await using var queue = await Broker.QueueAsync(Broker.SharedUri, exchange, Broker.NewName("svc.full"), ["#"], durable: true,
            arguments: new Dictionary<string, object?> { ["x-max-length"] = 100, ["x-overflow"] = "reject-publish" });
        await using var service = await RabbitMqService.StartAsync(RabbitMqService.Settings(Broker.SharedUri, exchange));

        await service.Pipeline.SendTcpAsync(RabbitMqService.Lines(1, 500));
        await service.Spooled.WaitForAsync(1);

        Assert.Equal(100u, await queue.BrokerCountAsync());
        Assert.Equal(100, service.Written); // exactly the confirmed ones: not one nacked message counted
        Assert.True(service.Pipeline.Metrics.SinkRetries.WithLabels("rabbitmq").Value >= 1, "a nacked batch is retried before it is spooled");
        Assert.Equal(400, service.SpooledTotal);
        Assert.Equal(SinkHealth.Spooling, service.Runner.Health);

        // Prefetch 1: besides the queue's ready messages and those the test recorded, at most one is in
        // flight to the consumer (delivered, not yet recorded), so "held" undercounts by at most that one.
        await queue.Channel.BasicQosAsync(0, 1, false);
        await queue.StartAsync();
        for (var arrived = queue.Messages.Count + 1; arrived <= 500; arrived++)
        {
            // Checked at every arrival while the consumer drains and the spool replays: written never runs ahead of the broker.
            await queue.WaitForAsync(arrived);
            var written = service.Written;
            var held = await queue.BrokerCountAsync() + queue.Messages.Count;
            Assert.True(written <= held + 1, $"written {written} > held by the queue or consumed {held} (+1 in flight)");
        }

        var messages = await queue.WaitForAsync(500);
        await service.Acknowledged.WaitForAsync(500);
        await service.Pipeline.StopAsync();
        Assert.Equal(Enumerable.Range(1, 500), queue.Messages.Select(m => RabbitMqService.Seq(m.Text)).Order()); // each exactly once
        Assert.Equal(500, service.Written);
        Assert.Equal(0, service.Runner.SpooledEvents);
        Assert.True(messages.Count >= 500);
    }

    [RabbitMqFact]
    public async Task WrongCredentialsLeaveTheServiceNotReadyWithOneLineNamingTheCredentialsWithoutThePassword()
    {
        const string password = "not-the-guest-password";
        var shared = new Uri(Broker.SharedUri);
        var uri = $"amqp://guest:{password}@{shared.Host}:{shared.Port}/";
        await using var service = await RabbitMqService.StartAsync(RabbitMqService.Settings(uri, Broker.NewName("svc.creds")));

        var (status, body) = await service.ReadyzAsync();
        Assert.Equal(503, status);
        Assert.Contains("\"ready\":false", body, StringComparison.Ordinal);
        Assert.Contains("\"rabbitmq\":\"unreachable\"", body, StringComparison.Ordinal);
        var line = Assert.Single(service.Logs.Lines, l => l.Message.Contains("credentials", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, line.Level);
        Assert.Contains($"Sink rabbitmq: amqp://guest@{shared.Host}:{shared.Port}/ cannot be used (refused the credentials", line.Message, StringComparison.Ordinal);
        Assert.Contains("Pipeline:Sinks:RabbitMq:Uri", line.Message, StringComparison.Ordinal);

        await service.Pipeline.SendTcpAsync(RabbitMqService.Lines(1, 50));
        await service.Spooled.WaitForAsync(50);
        await service.Pipeline.StopAsync();
        Assert.DoesNotContain(service.Logs.Lines, l => l.Message.Contains(password, StringComparison.Ordinal));
        Assert.Single(service.Logs.Lines, l => l.Message.Contains("credentials", StringComparison.Ordinal)); // said once, not per retry
        Assert.Equal(0, service.Written);
    }

    private static string? TemplateId(string line) =>
        TemplateIdPattern().Match(line) is { Success: true } m ? m.Groups[1].Value : null;

    [GeneratedRegex("\"template_id\":\"?(\\d+)")]
    private static partial Regex TemplateIdPattern();
}
