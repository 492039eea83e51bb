namespace Pipeline.Storage.Alerting;

/// <summary>Where an alert channel delivers (<c>Pipeline:Alerts:Channels:&lt;name&gt;:Type</c>).</summary>
public enum AlertChannelType
{
    /// <summary>POST of Alertmanager's webhook JSON (version 4), so existing Alertmanager receivers work.</summary>
    Webhook,

    /// <summary>Telegram Bot API <c>sendMessage</c>.</summary>
    Telegram,

    /// <summary>E-mail over SMTP (MailKit).</summary>
    Email,

    /// <summary>A persistent JSON message per digest to a RabbitMQ exchange, with publisher confirms.</summary>
    RabbitMq,
}
