using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;

namespace Pipeline.Storage.Alerting.Internal;

/// <summary>
/// The HTTP part the webhook and Telegram channels share: one POST within the channel's timeout (on
/// the channel's clock, so tests drive it), and a failure told in the receiver's own words.
/// </summary>
internal sealed class HttpPost(string channel, TimeSpan timeout, TimeProvider time) : IDisposable
{
    // One client per channel: a dead receiver's connections never hold up another channel's.
    private readonly HttpClient _client = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = System.Threading.Timeout.InfiniteTimeSpan,
    };

    /// <summary>Posts <paramref name="body"/>; returns the status and body of the answer, whatever the status.</summary>
    public async Task<(HttpStatusCode Status, string Body, TimeSpan? RetryAfter)> SendAsync(Uri url, byte[] body, string destination, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        try
        {
            using var response = await _client.PostAsync(url, content, linked.Token).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync(linked.Token).ConfigureAwait(false);
            return (response.StatusCode, text, RetryAfter(response));
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new AlertChannelException($"{channel}: {destination} did not answer within {timeout.TotalSeconds:0.###} s (Timeout).");
        }
        catch (HttpRequestException ex)
        {
            var reason = ex.InnerException is SocketException socket ? $"{socket.SocketErrorCode}: {socket.Message}" : ex.Message;
            throw new AlertChannelException($"{channel}: {destination} is unreachable ({reason}).", inner: ex);
        }
    }

    /// <summary>The body as an error message, cut so a receiver's HTML error page does not flood the log.</summary>
    public static string Excerpt(string body) => TextCut.Cut(body.Trim(), 500, "…");

    private TimeSpan? RetryAfter(HttpResponseMessage response) =>
        response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } when date > time.GetUtcNow() => date - time.GetUtcNow(),
            _ => null,
        };

    public void Dispose() => _client.Dispose();
}
