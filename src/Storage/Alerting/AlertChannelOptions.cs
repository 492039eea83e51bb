using System.Text;
using Pipeline.Blocks.Configuration;
using Pipeline.Storage.Alerting.RabbitMq;

namespace Pipeline.Storage.Alerting;

/// <summary>
/// One notification channel (<c>Pipeline:Alerts:Channels:&lt;name&gt;</c>): its <see cref="Type"/>, the
/// keys of that type, and what every channel has (queue, rate limit, grouping window, retries).
/// A snapshot taken when the channel is built.
/// </summary>
public sealed class AlertChannelOptions : IValidatedOptions
{
    public const string DefaultTelegramBaseUrl = "https://api.telegram.org";
    public const string DefaultExchange = "pipeline.alerts";
    public const string DefaultRoutingKey = "alert.{severity}.{alertname}";

    /// <summary>Webhook, Telegram, Email or RabbitMq. Required.</summary>
    public AlertChannelType? Type { get; set; }

    /// <summary>Notices queued for the channel before new ones are dropped (reason <c>queue_full</c>). Default 1000.</summary>
    public int QueueCapacity { get; set; } = 1000;

    /// <summary>Messages per minute at most (a sliding minute); 0: unlimited. Default 20. Notices keep merging while the limit holds a message back.</summary>
    public int RatePerMinute { get; set; } = 20;

    /// <summary>Notices arriving within this of the first one become one message. Default 10 s; zero: send at once.</summary>
    public TimeSpan GroupWait { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Distinct (source, group, kind) keys one message lists; beyond them a remainder line counts the other groups and their events. Default 100.</summary>
    public int MaxGroups { get; set; } = 100;

    /// <summary>Send notices of resolved alerts. Default true; false drops them (reason <c>resolved_disabled</c>).</summary>
    public bool SendResolved { get; set; } = true;

    /// <summary>Attempts of one message before it is dropped (reason <c>send_failed</c>). Default 3.</summary>
    public int Attempts { get; set; } = 3;

    /// <summary>First delay between attempts, doubled each time with jitter. Default 1 s.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest backoff between attempts (a wait the channel asks for, such as Telegram's retry_after, is waited in full). Default 30 s.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>One request (HTTP call, SMTP session, publish and its confirm) fails after this. Default 10 s.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Webhook: the receiver's URL (http or https). Required for Webhook.</summary>
    public string? Url { get; set; }

    /// <summary>Webhook: the webhook body's <c>externalURL</c> (a link back to this service). Optional.</summary>
    public string? ExternalUrl { get; set; }

    /// <summary>Telegram: the bot's token (<c>123456:ABC-…</c>). Required for Telegram.</summary>
    public string? BotToken { get; set; }

    /// <summary>Telegram: the chat's id (<c>-1001234567890</c>) or <c>@channelname</c>. Required for Telegram.</summary>
    public string? ChatId { get; set; }

    /// <summary>Telegram: the Bot API's base URL. Default <c>https://api.telegram.org</c>.</summary>
    public string BaseUrl { get; set; } = DefaultTelegramBaseUrl;

    /// <summary>Telegram: <c>HTML</c> or <c>MarkdownV2</c> (the text is escaped for it); unset: plain text.</summary>
    public string? ParseMode { get; set; }

    /// <summary>Email: the SMTP server. Required for Email.</summary>
    public string? Host { get; set; }

    /// <summary>Email: the SMTP port. Default 587.</summary>
    public int Port { get; set; } = 587;

    /// <summary>Email: TLS mode. Default Auto (TLS on connect for 465, STARTTLS when offered otherwise).</summary>
    public EmailTls StartTls { get; set; } = EmailTls.Auto;

    /// <summary>Email: the SMTP user; unset: no authentication.</summary>
    public string? User { get; set; }

    /// <summary>Email: the SMTP password (with <see cref="User"/>).</summary>
    public string? Password { get; set; }

    /// <summary>Email: the sender address. Required for Email.</summary>
    public string? From { get; set; }

    /// <summary>Email: the recipients. At least one for Email.</summary>
    public List<string> To { get; set; } = [];

    /// <summary>Email: put before the subject. Default <c>[Pipeline]</c>.</summary>
    public string SubjectPrefix { get; set; } = "[Pipeline]";

    /// <summary>RabbitMq: the broker; unset: the RabbitMQ sink's <c>Pipeline:Sinks:RabbitMq:Uri</c>.</summary>
    public string? Uri { get; set; }

    /// <summary>RabbitMq: the exchange, declared as a durable topic exchange. Default <c>pipeline.alerts</c> (apart from the events' <c>pipeline.events</c>, so alert consumers bind without seeing events).</summary>
    public string Exchange { get; set; } = DefaultExchange;

    /// <summary>RabbitMq: the routing-key template; <c>{severity}</c>, <c>{alertname}</c> (the source), <c>{kind}</c>, <c>{status}</c> of the digest's first group. Default <c>alert.{severity}.{alertname}</c>.</summary>
    public string RoutingKey { get; set; } = DefaultRoutingKey;

    /// <inheritdoc />
    public void Validate(OptionsErrors errors) => Validate(errors, defaultRabbitMqUri: null);

    /// <summary>As <see cref="Validate(OptionsErrors)"/>, with the RabbitMQ sink's URI standing in for an unset <see cref="Uri"/>.</summary>
    public void Validate(OptionsErrors errors, string? defaultRabbitMqUri)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var Check = errors.Check;
        Check(Type is not null, "Type", "is required: Webhook, Telegram, Email or RabbitMq.");
        Check(Type is null || Enum.IsDefined(Type.Value), "Type", $"must be Webhook, Telegram, Email or RabbitMq (got {Type}).");
        Check(QueueCapacity >= 1, "QueueCapacity", $"must be at least 1 (got {QueueCapacity}); the queue is never unbounded.");
        Check(RatePerMinute >= 0, "RatePerMinute", $"must be 0 (unlimited) or more (got {RatePerMinute}).");
        Check(GroupWait >= TimeSpan.Zero, "GroupWait", $"must be zero or positive, e.g. 00:00:10 (got {GroupWait}).");
        Check(MaxGroups >= 1, "MaxGroups", $"must be at least 1 (got {MaxGroups}).");
        Check(Attempts >= 1, "Attempts", $"must be at least 1 (got {Attempts}).");
        Check(RetryDelay > TimeSpan.Zero, "RetryDelay", $"must be positive (got {RetryDelay}).");
        Check(RetryMaxDelay >= RetryDelay, "RetryMaxDelay", $"must be at least RetryDelay (got {RetryMaxDelay}).");
        Check(Timeout > TimeSpan.Zero, "Timeout", $"must be positive, e.g. 00:00:10 (got {Timeout}).");
        switch (Type)
        {
            case AlertChannelType.Webhook:
                Check(IsHttpUrl(Url), "Url", $"must be an http:// or https:// URL (got '{Url}').");
                Check(ExternalUrl is null || IsHttpUrl(ExternalUrl), "ExternalUrl", $"must be an http:// or https:// URL when set (got '{ExternalUrl}').");
                break;
            case AlertChannelType.Telegram:
                Check(BotToken is { Length: > 0 } token && !token.Any(char.IsWhiteSpace) && !token.Contains('/'), "BotToken",
                    "is required: the bot's token from @BotFather (no spaces or slashes).");
                Check(ChatId is { Length: > 0 }, "ChatId", "is required: the chat's numeric id or @channelname.");
                Check(IsHttpUrl(BaseUrl), "BaseUrl", $"must be an http:// or https:// URL (got '{BaseUrl}').");
                Check(ParseMode is null or "HTML" or "MarkdownV2", "ParseMode", $"must be HTML, MarkdownV2 or unset (got '{ParseMode}').");
                break;
            case AlertChannelType.Email:
                Check(Host is { Length: > 0 }, "Host", "is required: the SMTP server's host name.");
                Check(Port is >= 1 and <= 65_535, "Port", $"must be 1 to 65 535 (got {Port}).");
                Check(Enum.IsDefined(StartTls), "StartTls", $"must be Auto, None, StartTls, StartTlsWhenAvailable or SslOnConnect (got {StartTls}).");
                Check(User is null || Password is not null, "Password", "is required when User is set.");
                Check(IsAddress(From), "From", $"must be an e-mail address (got '{From}').");
                Check(To.Count > 0, "To", "must list at least one recipient.");
                for (var i = 0; i < To.Count; i++)
                {
                    Check(IsAddress(To[i]), $"To:{i}", $"must be an e-mail address (got '{To[i]}').");
                }

                break;
            case AlertChannelType.RabbitMq:
                var uri = Uri ?? defaultRabbitMqUri;
                Check(uri is { Length: > 0 }, "Uri", "is required when Pipeline:Sinks:RabbitMq:Uri is not set: amqp://user:pass@host:5672/vhost.");
                Check(uri is not { Length: > 0 } || (System.Uri.TryCreate(uri, UriKind.Absolute, out var parsed) && parsed.Scheme is "amqp" or "amqps"),
                    "Uri", "must be amqp://user:pass@host:5672/vhost (or amqps://).");
                Check(Exchange.Length > 0 && Encoding.UTF8.GetByteCount(Exchange) <= 255, "Exchange", $"must be 1 to 255 bytes (got '{Exchange}').");
                if (AlertRoutingKey.Check(RoutingKey) is { } problem)
                {
                    errors.Add("RoutingKey", problem);
                }

                break;
        }
    }

    private static bool IsHttpUrl(string? value) =>
        System.Uri.TryCreate(value, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" && url.Host.Length > 0;

    private static bool IsAddress(string? value) => MimeKit.MailboxAddress.TryParse(value, out var address) && address.Address.Contains('@');
}
