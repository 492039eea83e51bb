using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Blocks.Metrics;
using Pipeline.Storage.Alerting;
using Pipeline.Storage.Alerting.Internal;

namespace Pipeline.Channels.Tests.Infrastructure;

/// <summary>An <see cref="AlertChannels"/> on a watched fake clock and a metrics registry of its own, with counters to read back.</summary>
public sealed class TestChannels : IAsyncDisposable
{
    private readonly AlertChannelMetrics _metrics;

    private TestChannels(AlertChannels channels, PipelineMetrics metrics, WatchedTime time)
    {
        Channels = channels;
        Metrics = metrics;
        Time = time;
        _metrics = new AlertChannelMetrics(metrics);
    }

    public AlertChannels Channels { get; }

    public PipelineMetrics Metrics { get; }

    public WatchedTime Time { get; }

    public static TestChannels Start(Dictionary<string, AlertChannelOptions> options, Func<string, AlertChannelOptions, IAlertChannel>? factory = null,
        string? defaultRabbitMqUri = null)
    {
        var metrics = new PipelineMetrics();
        var time = new WatchedTime();
        var all = new AlertChannelsOptions { DefaultRabbitMqUri = defaultRabbitMqUri };
        foreach (var (name, channel) in options)
        {
            all.Channels[name] = channel;
        }

        return new TestChannels(new AlertChannels(all, metrics, time, NullLogger.Instance, factory), metrics, time);
    }

    public double Dropped(string channel, string reason) => _metrics.Dropped.WithLabels(channel, reason).Value;

    public double Messages(string channel, string result) => _metrics.Messages.WithLabels(channel, result).Value;

    public async ValueTask DisposeAsync() => await Channels.DisposeAsync();
}
