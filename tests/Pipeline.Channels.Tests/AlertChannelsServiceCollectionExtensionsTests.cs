using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Blocks.Alerts;
using Pipeline.Blocks.Hosting;
using Pipeline.Blocks.Metrics;
using Pipeline.Storage.Alerting;

namespace Pipeline.Channels.Tests;

public sealed class AlertChannelsServiceCollectionExtensionsTests
{
    [Fact]
    public async Task TheChannelsAreTheNotifierAndStopWithTheSinks()
    {
        var services = new ServiceCollection()
            .AddSingleton(new PipelineMetrics())
            .AddSingleton(TimeProvider.System)
            .AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance)
            .AddAlertChannels(new AlertChannelsOptions
            {
                Channels = { ["hook"] = new AlertChannelOptions { Type = AlertChannelType.Webhook, Url = "http://127.0.0.1:9/" } },
            });
        await using var provider = services.BuildServiceProvider();

        var notifier = provider.GetRequiredService<IAlertNotifier>();
        var lifecycle = Assert.Single(provider.GetServices<ILifecycleComponent>());

        Assert.Same(provider.GetRequiredService<AlertChannels>(), notifier);
        Assert.Same(notifier, lifecycle);
        Assert.Equal(LifecycleStage.Sinks, lifecycle.Stage);
        Assert.Equal(["hook"], notifier.Channels);
    }
}
