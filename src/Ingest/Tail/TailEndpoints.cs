using System.Buffers;
using System.Globalization;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pipeline.Ingest.Http;

namespace Pipeline.Ingest.Tail;

/// <summary>
/// <c>GET /api/tail</c> (Server-Sent Events: <c>event: event</c> with the event's JSON line as <c>data</c>, and
/// <c>event: dropped</c> with <c>{"dropped":N}</c>) and <c>/api/tail/ws</c> (WebSocket text frames: the JSON line, or
/// <c>{"type":"dropped","dropped":N}</c>). Filters in the query (<see cref="TailFilter"/>). 400 for a bad filter, 429 past
/// <c>Pipeline:Tail:MaxSubscribers</c>.
/// </summary>
internal static class TailEndpoints
{
    private static readonly byte[] EventPrefix = "event: event\ndata: "u8.ToArray();
    private static readonly byte[] DroppedPrefix = "event: dropped\ndata: {\"dropped\":"u8.ToArray();
    private static readonly byte[] WsDroppedPrefix = "{\"type\":\"dropped\",\"dropped\":"u8.ToArray();

    public static void Map(WebApplication app)
    {
        app.MapGet("/api/tail", (HttpContext context) => ServeEventsAsync(context));
        app.Map("/api/tail/ws", (HttpContext context) => ServeWebSocketAsync(context));
    }

    private static async Task ServeEventsAsync(HttpContext context)
    {
        if (await SubscribeAsync(context).ConfigureAwait(false) is not { } subscription)
        {
            return;
        }

        var (hub, subscriber) = subscription;

        using var stopping = Stopping(context);
        try
        {
            var response = context.Response;
            response.ContentType = "text/event-stream; charset=utf-8";
            response.Headers.CacheControl = "no-cache";
            response.Headers["X-Accel-Buffering"] = "no";
            var body = response.BodyWriter;
            // The first bytes tell the viewer (and tests) that it is subscribed: nothing after this point is missed unseen.
            body.Write(": subscribed\n\n"u8);
            await body.FlushAsync(stopping.Token).ConfigureAwait(false);
            while (!subscriber.Ended)
            {
                if (!await subscriber.WaitAsync(hub.Options.KeepAliveInterval, stopping.Token).ConfigureAwait(false))
                {
                    body.Write(": keepalive\n\n"u8);
                }
                else
                {
                    WriteEvents(body, subscriber.Take());
                }

                await body.FlushAsync(stopping.Token).ConfigureAwait(false);
                await subscriber.PaceAsync(hub.Options.SendInterval, stopping.Token).ConfigureAwait(false);
            }

            WriteEvents(body, subscriber.Take());
            await body.FlushAsync(stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // the viewer went away, or the service stops
        }
        finally
        {
            hub.Remove(subscriber);
        }
    }

    private static void WriteEvents(System.IO.Pipelines.PipeWriter body, TailRing ring)
    {
        for (var i = 0; i < ring.Count; i++)
        {
            var slot = ring[i];
            if (slot.DroppedBefore > 0)
            {
                WriteDropped(body, slot.DroppedBefore);
            }

            body.Write(EventPrefix);
            body.Write(slot.Line);
            body.Write("\n\n"u8);
        }

        if (ring.Dropped > 0)
        {
            WriteDropped(body, ring.Dropped);
        }
    }

    private static void WriteDropped(System.IO.Pipelines.PipeWriter body, long count)
    {
        body.Write(DroppedPrefix);
        count.TryFormat(body.GetSpan(20), out var written, default, CultureInfo.InvariantCulture);
        body.Advance(written);
        body.Write("}\n\n"u8);
    }

    private static async Task ServeWebSocketAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await ApiResponses.Error(400, "/api/tail/ws is a WebSocket endpoint: connect with a WebSocket client (or use GET /api/tail for Server-Sent Events).")
                .ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        if (await SubscribeAsync(context).ConfigureAwait(false) is not { } subscription)
        {
            return;
        }

        var (hub, subscriber) = subscription;

        using var stopping = Stopping(context);
        try
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
            // The viewer sends nothing; reading is how its close is seen.
            var reading = ReadUntilClosedAsync(socket, stopping);
            var dropped = new byte[64];
            while (!subscriber.Ended && !stopping.IsCancellationRequested)
            {
                if (!await subscriber.WaitAsync(hub.Options.KeepAliveInterval, stopping.Token).ConfigureAwait(false))
                {
                    continue; // Kestrel's WebSocket keep-alive pings an idle viewer
                }

                await SendAsync(socket, subscriber.Take(), dropped, stopping.Token).ConfigureAwait(false);
                await subscriber.PaceAsync(hub.Options.SendInterval, stopping.Token).ConfigureAwait(false);
            }

            await SendAsync(socket, subscriber.Take(), dropped, stopping.Token).ConfigureAwait(false);
            if (socket.State == WebSocketState.Open)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.EndpointUnavailable, "tail ended", stopping.Token).ConfigureAwait(false);
            }

            await reading.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            // the viewer went away, or the service stops
        }
        finally
        {
            hub.Remove(subscriber);
        }
    }

    private static async Task SendAsync(WebSocket socket, TailRing ring, byte[] scratch, CancellationToken cancellationToken)
    {
        for (var i = 0; i < ring.Count; i++)
        {
            var slot = ring[i];
            if (slot.DroppedBefore > 0)
            {
                await SendDroppedAsync(socket, slot.DroppedBefore, scratch, cancellationToken).ConfigureAwait(false);
            }

            await socket.SendAsync(slot.Buffer.AsMemory(0, slot.Length), WebSocketMessageType.Text, true, cancellationToken).ConfigureAwait(false);
        }

        if (ring.Dropped > 0)
        {
            await SendDroppedAsync(socket, ring.Dropped, scratch, cancellationToken).ConfigureAwait(false);
        }
    }

    private static ValueTask SendDroppedAsync(WebSocket socket, long count, byte[] scratch, CancellationToken cancellationToken)
    {
        WsDroppedPrefix.CopyTo(scratch, 0);
        var n = WsDroppedPrefix.Length;
        count.TryFormat(scratch.AsSpan(n), out var written, default, CultureInfo.InvariantCulture);
        n += written;
        scratch[n++] = (byte)'}';
        return socket.SendAsync(scratch.AsMemory(0, n), WebSocketMessageType.Text, true, cancellationToken);
    }

    private static async Task ReadUntilClosedAsync(WebSocket socket, CancellationTokenSource stopping)
    {
        var buffer = new byte[1024];
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, stopping.Token).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            // gone
        }
        finally
        {
            await stopping.CancelAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The viewer's subscription, or null once the refusal (a bad filter, the limit) has been written.</summary>
    private static async Task<(TailHub Hub, TailSubscriber Subscriber)?> SubscribeAsync(HttpContext context)
    {
        if (TrySubscribe(context, out var hub, out var subscriber, out var refusal))
        {
            return (hub, subscriber);
        }

        await refusal.ExecuteAsync(context).ConfigureAwait(false);
        return null;
    }

    /// <summary>Ends when the viewer leaves or the service stops.</summary>
    private static CancellationTokenSource Stopping(HttpContext context) =>
        CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted,
            context.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);

    private static bool TrySubscribe(HttpContext context, out TailHub hub, out TailSubscriber subscriber, out IResult refusal)
    {
        hub = context.RequestServices.GetRequiredService<TailHub>();
        subscriber = null!;
        refusal = null!;
        var metrics = context.RequestServices.GetRequiredService<TailMetrics>();
        if (!TailFilter.TryParse(context.Request.Query, out var filter, out var parameter, out var error))
        {
            metrics.Rejected.WithLabels("bad_parameter").Inc();
            refusal = ApiResponses.Body(400, json =>
            {
                json.WriteString("error", error);
                json.WriteString("parameter", parameter);
            });
            return false;
        }

        if (!hub.TryAdd(filter, out subscriber))
        {
            metrics.Rejected.WithLabels("limit").Inc();
            var limit = hub.Options.MaxSubscribers;
            refusal = ApiResponses.Body(429, json =>
            {
                json.WriteString("error", $"too many tail subscribers: the limit is {limit} (Pipeline:Tail:MaxSubscribers); close one or raise the setting.");
                json.WriteNumber("limit", limit);
                json.WriteString("setting", "Pipeline:Tail:MaxSubscribers");
            });
            return false;
        }

        return true;
    }
}
