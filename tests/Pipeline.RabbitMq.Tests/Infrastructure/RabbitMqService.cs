using Pipeline.Tests.Shared.Counting;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pipeline.Storage.RabbitMq;
using Pipeline.Storage.Sinks;
using Pipeline.Tests.Shared;

namespace Pipeline.RabbitMq.Tests.Infrastructure;

/// <summary>
/// The whole service (<see cref="TestPipeline"/>) with the RabbitMQ sink on: settings with short
/// retries, the runner's acknowledge/spool hooks as counters, <c>/readyz</c>, and event lines.
/// </summary>
internal sealed class RabbitMqService : IAsyncDisposable
{
    private RabbitMqService(TestPipeline pipeline, CollectingLoggerProvider logs)
    {
        Pipeline = pipeline;
        Logs = logs;
        var service = pipeline.Services.GetRequiredService<RabbitMqSinkService>();
        Runner = service.Runner;
        Acknowledged.Add(Runner.Summary.Written);
        Runner.Acknowledged += n => Acknowledged.Add(n);
        Runner.Spooled += n => Spooled.Add(n);
    }

    public TestPipeline Pipeline { get; }

    public CollectingLoggerProvider Logs { get; }

    public SinkRunner Runner { get; }

    /// <summary>Events the broker confirmed (written), from the runner's hook.</summary>
    public RunningTotal Acknowledged { get; } = new();

    /// <summary>Events that went to the spool, from the runner's hook.</summary>
    public RunningTotal Spooled { get; } = new();

    public double Written => Pipeline.Metric("pipeline_sink_written_events_total", "rabbitmq");

    public double SpooledTotal => Pipeline.Metrics.SinkSpooled.WithLabels("rabbitmq").Value;

    /// <summary>Settings (without the <c>Pipeline:</c> prefix) for a sink on <paramref name="uri"/>, retrying fast.</summary>
    public static Dictionary<string, string> Settings(string uri, string? exchange = null) => new()
    {
        ["Sinks:RabbitMq:Uri"] = uri,
        ["Sinks:RabbitMq:Exchange"] = exchange ?? "pipeline.events",
        ["Sinks:RabbitMq:BatchMaxDelay"] = "00:00:00.050",
        ["Sinks:RabbitMq:Attempts"] = "2",
        ["Sinks:RabbitMq:RetryDelay"] = "00:00:00.050",
        ["Sinks:RabbitMq:RetryMaxDelay"] = "00:00:00.500",
        ["Sinks:RabbitMq:PublishTimeout"] = "00:00:03",
        ["Sinks:RabbitMq:ConnectTimeout"] = "00:00:02",
    };

    public static async Task<RabbitMqService> StartAsync(Dictionary<string, string> settings, string? dataDir = null, LogLevel level = LogLevel.Information)
    {
        var logs = new CollectingLoggerProvider();
        var pipeline = await TestPipeline.StartAsync(settings, services => services.AddLogging(b => b
            .AddProvider(logs)
            .AddFilter<CollectingLoggerProvider>("Pipeline", level)), dataDir);
        return new RabbitMqService(pipeline, logs);
    }

    /// <summary>GET /readyz: status code and body.</summary>
    public async Task<(int Status, string Body)> ReadyzAsync()
    {
        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri(Pipeline.HttpUri, "/readyz"));
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>A labelled sample from the exposition (runs the collect callbacks, so gauges are current).</summary>
    public async Task<double> ScrapeAsync(string name, string labels)
    {
        using var stream = new MemoryStream();
        await Pipeline.Metrics.WriteAsync(stream, CancellationToken.None);
        var prefix = $"{name}{{{labels}}} ";
        foreach (var line in Encoding.UTF8.GetString(stream.ToArray()).Split('\n'))
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return double.Parse(line[prefix.Length..], CultureInfo.InvariantCulture);
            }
        }

        throw new ArgumentException($"{prefix} is not in the exposition", nameof(name));
    }

    /// <summary>Event <paramref name="seq"/>: robots r0..r2, INFO or ERROR (every 4th), the given type.</summary>
    public static string Line(int seq, string type) =>
        $"{{\"ts\":\"2025-06-15T12:00:00.000Z\",\"robot_id\":\"r{seq % 3}\",\"level\":\"{(seq % 4 == 0 ? "ERROR" : "INFO")}\",\"type\":\"{type}\",\"msg\":\"event {seq}\",\"seq\":{seq}}}";

    public static byte[] Lines(int first, int count, string type = "svc")
    {
        var text = new StringBuilder(count * 130);
        for (var seq = first; seq < first + count; seq++)
        {
            text.Append(Line(seq, type)).Append('\n');
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    public static int Seq(string line) => RabbitMqSinkTests.Seq(line);

    public ValueTask DisposeAsync() => Pipeline.DisposeAsync();
}
