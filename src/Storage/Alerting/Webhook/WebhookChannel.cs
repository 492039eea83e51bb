using Pipeline.Storage.Alerting.Internal;

namespace Pipeline.Storage.Alerting.Webhook;

/// <summary>POSTs Alertmanager's webhook JSON (version 4) to <c>Url</c>; any 2xx is accepted, anything else fails with the status and body.</summary>
internal sealed class WebhookChannel : IAlertChannel
{
    private readonly Uri _url;
    private readonly string _externalUrl;
    private readonly HttpPost _http;

    public WebhookChannel(string name, AlertChannelOptions options, TimeProvider time)
    {
        Name = name;
        _url = new Uri(options.Url!);
        _externalUrl = options.ExternalUrl ?? "";
        // The path and query may hold a token: only scheme, host and port are said.
        Destination = $"webhook {_url.GetLeftPart(UriPartial.Authority)}";
        _http = new HttpPost(name, options.Timeout, time);
    }

    public string Name { get; }

    public string Destination { get; }

    public async Task SendAsync(AlertMessage message, CancellationToken cancellationToken)
    {
        var (status, body, retryAfter) = await _http.SendAsync(_url, WebhookBody.Encode(message, _externalUrl), Destination, cancellationToken)
            .ConfigureAwait(false);
        if ((int)status is < 200 or > 299)
        {
            throw new AlertChannelException($"{Name}: {Destination} answered {(int)status} {status}: {HttpPost.Excerpt(body)}", retryAfter);
        }
    }

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return default;
    }
}
