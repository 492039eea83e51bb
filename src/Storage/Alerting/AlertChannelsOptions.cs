using Microsoft.Extensions.Configuration;
using Pipeline.Blocks.Configuration;

namespace Pipeline.Storage.Alerting;

/// <summary>
/// Every notification channel by name (<c>Pipeline:Alerts:Channels</c>), and the RabbitMQ sink's URI,
/// which a RabbitMq channel without a <c>Uri</c> of its own uses.
/// </summary>
public sealed class AlertChannelsOptions : IValidatedOptions
{
    public const string KeyPath = "Pipeline:Alerts:Channels";

    /// <summary>The channels by name (names compare case-insensitively, as configuration keys do).</summary>
    public Dictionary<string, AlertChannelOptions> Channels { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary><c>Pipeline:Sinks:RabbitMq:Uri</c>, the default of a RabbitMq channel's <c>Uri</c>.</summary>
    public string? DefaultRabbitMqUri { get; init; }

    /// <summary>
    /// Binds <paramref name="channels"/> (the section <c>Pipeline:Alerts:Channels</c>) with the configuration
    /// binder; the host may instead bind each child with its own key-by-key binder and fill <see cref="Channels"/>.
    /// </summary>
    public static AlertChannelsOptions Bind(IConfiguration channels, string? defaultRabbitMqUri)
    {
        ArgumentNullException.ThrowIfNull(channels);
        var options = new AlertChannelsOptions { DefaultRabbitMqUri = defaultRabbitMqUri };
        foreach (var child in channels.GetChildren())
        {
            var channel = new AlertChannelOptions();
            child.Bind(channel);
            options.Channels[child.Key] = channel;
        }

        return options;
    }

    /// <inheritdoc />
    public void Validate(OptionsErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        foreach (var (name, channel) in Channels)
        {
            errors.Check(name.Length > 0 && !name.Any(char.IsWhiteSpace), name, "a channel's name must be a word without spaces.");
            channel.Validate(errors.Nested(name), DefaultRabbitMqUri);
        }
    }
}
