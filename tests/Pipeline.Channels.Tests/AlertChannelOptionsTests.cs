using Microsoft.Extensions.Configuration;
using Pipeline.Blocks.Configuration;
using Pipeline.Storage.Alerting;

namespace Pipeline.Channels.Tests;

public sealed class AlertChannelOptionsTests
{
    private static List<string> Errors(AlertChannelsOptions options)
    {
        var errors = new List<string>();
        options.Validate(new OptionsErrors(AlertChannelsOptions.KeyPath, errors));
        return errors;
    }

    [Fact]
    public void EveryBadValueIsReportedUnderItsFullKeyPath()
    {
        var options = new AlertChannelsOptions
        {
            Channels =
            {
                ["dev"] = new AlertChannelOptions { Type = AlertChannelType.Telegram, BaseUrl = "ftp://x", ParseMode = "Markdown", QueueCapacity = 0 },
                ["ops"] = new AlertChannelOptions { Type = AlertChannelType.Email, Port = 0, To = ["ok@example.org", "not-an-address"], User = "u" },
                ["hook"] = new AlertChannelOptions { Type = AlertChannelType.Webhook, Url = "not a url", RatePerMinute = -1, Timeout = TimeSpan.Zero },
                ["mq"] = new AlertChannelOptions { Type = AlertChannelType.RabbitMq, RoutingKey = "alert.{robot}", Exchange = "" },
                ["none"] = new AlertChannelOptions(),
            },
        };

        var errors = Errors(options);

        string[] keys =
        [
            "Pipeline:Alerts:Channels:dev:BotToken: ", "Pipeline:Alerts:Channels:dev:ChatId: ", "Pipeline:Alerts:Channels:dev:BaseUrl: ",
            "Pipeline:Alerts:Channels:dev:ParseMode: ", "Pipeline:Alerts:Channels:dev:QueueCapacity: ",
            "Pipeline:Alerts:Channels:ops:Host: ", "Pipeline:Alerts:Channels:ops:Port: ", "Pipeline:Alerts:Channels:ops:From: ",
            "Pipeline:Alerts:Channels:ops:To:1: ", "Pipeline:Alerts:Channels:ops:Password: ",
            "Pipeline:Alerts:Channels:hook:Url: ", "Pipeline:Alerts:Channels:hook:RatePerMinute: ", "Pipeline:Alerts:Channels:hook:Timeout: ",
            "Pipeline:Alerts:Channels:mq:Uri: ", "Pipeline:Alerts:Channels:mq:RoutingKey: ", "Pipeline:Alerts:Channels:mq:Exchange: ",
            "Pipeline:Alerts:Channels:none:Type: ",
        ];
        foreach (var key in keys)
        {
            Assert.Contains(errors, e => e.StartsWith(key, StringComparison.Ordinal));
        }

        Assert.Equal(keys.Length, errors.Count);
        Assert.Contains(errors, e => e.Contains("{robot}", StringComparison.Ordinal));
    }

    [Fact]
    public void ARabbitMqChannelWithoutUriTakesTheSinksUri()
    {
        var options = new AlertChannelsOptions
        {
            DefaultRabbitMqUri = "amqp://guest:guest@127.0.0.1:5672/",
            Channels = { ["mq"] = new AlertChannelOptions { Type = AlertChannelType.RabbitMq } },
        };

        Assert.Empty(Errors(options));
    }

    [Fact]
    public void ChannelsBindFromConfigurationByName()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Pipeline:Alerts:Channels:dev:Type"] = "Telegram",
            ["Pipeline:Alerts:Channels:dev:BotToken"] = "123:abc",
            ["Pipeline:Alerts:Channels:dev:ChatId"] = "-100123",
            ["Pipeline:Alerts:Channels:dev:GroupWait"] = "00:00:30",
            ["Pipeline:Alerts:Channels:ops:Type"] = "Email",
            ["Pipeline:Alerts:Channels:ops:Host"] = "mail.example.org",
            ["Pipeline:Alerts:Channels:ops:StartTls"] = "StartTls",
            ["Pipeline:Alerts:Channels:ops:From"] = "pipeline@example.org",
            ["Pipeline:Alerts:Channels:ops:To:0"] = "a@example.org",
            ["Pipeline:Alerts:Channels:ops:To:1"] = "b@example.org",
        }).Build();

        var options = AlertChannelsOptions.Bind(config.GetSection(AlertChannelsOptions.KeyPath), defaultRabbitMqUri: null);

        Assert.Empty(Errors(options));
        Assert.Equal(AlertChannelType.Telegram, options.Channels["dev"].Type);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Channels["dev"].GroupWait);
        Assert.Equal(EmailTls.StartTls, options.Channels["ops"].StartTls);
        Assert.Equal(["a@example.org", "b@example.org"], options.Channels["ops"].To);
    }

    [Fact]
    public void AlertChannelsRefusesInvalidOptionsListingEveryError()
    {
        var options = new AlertChannelsOptions
        {
            Channels = { ["dev"] = new AlertChannelOptions { Type = AlertChannelType.Telegram } },
        };

        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new AlertChannels(options, new Pipeline.Blocks.Metrics.PipelineMetrics(), TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance));

        Assert.Contains("Pipeline:Alerts:Channels:dev:BotToken: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("Pipeline:Alerts:Channels:dev:ChatId: ", error.Message, StringComparison.Ordinal);
    }
}
