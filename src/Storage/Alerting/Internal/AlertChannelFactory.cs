using Pipeline.Storage.Alerting.Email;
using Pipeline.Storage.Alerting.RabbitMq;
using Pipeline.Storage.Alerting.Telegram;
using Pipeline.Storage.Alerting.Webhook;

namespace Pipeline.Storage.Alerting.Internal;

/// <summary>Builds the channel of a validated <see cref="AlertChannelOptions"/>.</summary>
internal static class AlertChannelFactory
{
    public static IAlertChannel Create(string name, AlertChannelOptions options, string? defaultRabbitMqUri, TimeProvider time) => options.Type switch
    {
        AlertChannelType.Webhook => new WebhookChannel(name, options, time),
        AlertChannelType.Telegram => new TelegramChannel(name, options, time),
        AlertChannelType.Email => new EmailChannel(name, options, time),
        AlertChannelType.RabbitMq => new RabbitMqAlertChannel(name, options, (options.Uri ?? defaultRabbitMqUri)!, time),
        _ => throw new ArgumentException($"{AlertChannelsOptions.KeyPath}:{name}:Type is not set.", nameof(options)),
    };
}
