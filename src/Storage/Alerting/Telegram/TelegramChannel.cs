using System.Buffers;
using System.Net;
using System.Text.Json;
using Pipeline.Storage.Alerting.Internal;

namespace Pipeline.Storage.Alerting.Telegram;

/// <summary>
/// Telegram Bot API <c>POST {BaseUrl}/bot{token}/sendMessage</c>. A refusal fails with Telegram's
/// <c>error_code</c> and <c>description</c>; a 429 carries its <c>parameters.retry_after</c>, which the
/// runner waits in full before the next attempt (Alertmanager ignores it, and gets limited longer).
/// </summary>
internal sealed class TelegramChannel : IAlertChannel
{
    private readonly Uri _url;
    private readonly string _chatId;
    private readonly string? _parseMode;
    private readonly HttpPost _http;

    public TelegramChannel(string name, AlertChannelOptions options, TimeProvider time)
    {
        Name = name;
        _url = new Uri($"{options.BaseUrl.TrimEnd('/')}/bot{options.BotToken}/sendMessage");
        _chatId = options.ChatId!;
        _parseMode = options.ParseMode;
        // Never the token: it is the bot's password.
        Destination = $"telegram chat {_chatId} via {_url.GetLeftPart(UriPartial.Authority)}";
        _http = new HttpPost(name, options.Timeout, time);
    }

    public string Name { get; }

    public string Destination { get; }

    public async Task SendAsync(AlertMessage message, CancellationToken cancellationToken)
    {
        var (status, body, retryAfter) = await _http.SendAsync(_url, Encode(message), Destination, cancellationToken).ConfigureAwait(false);
        if (status == HttpStatusCode.OK)
        {
            return;
        }

        var (description, askedWait) = Refusal(body);
        throw new AlertChannelException(
            $"{Name}: Telegram refused sendMessage to chat {_chatId}: {(int)status} {description ?? HttpPost.Excerpt(body)}",
            askedWait ?? retryAfter);
    }

    private byte[] Encode(AlertMessage message)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("chat_id", _chatId);
            json.WriteString("text", TelegramText.For(message, _parseMode));
            if (_parseMode is not null)
            {
                json.WriteString("parse_mode", _parseMode);
            }

            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Telegram's <c>description</c> and <c>parameters.retry_after</c>, when the body is its error JSON.</summary>
    private static (string? Description, TimeSpan? RetryAfter) Refusal(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            var description = root.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
            TimeSpan? retryAfter = root.TryGetProperty("parameters", out var p) && p.ValueKind == JsonValueKind.Object &&
                p.TryGetProperty("retry_after", out var r) && r.TryGetInt32(out var seconds) && seconds > 0
                ? TimeSpan.FromSeconds(seconds)
                : null;
            return (description, retryAfter);
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return default;
    }
}
