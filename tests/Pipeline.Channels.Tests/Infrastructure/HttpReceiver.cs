using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pipeline.Tests.Shared.Counting;

namespace Pipeline.Channels.Tests.Infrastructure;

/// <summary>
/// A real HTTP server (Kestrel on 127.0.0.1, a port of its own) standing in for a webhook receiver
/// or the Telegram Bot API: records every POST, answers with <see cref="Respond"/> (by the request's
/// index), and completes <see cref="WaitForAsync"/> on arrival.
/// </summary>
public sealed class HttpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly object _gate = new();
    private readonly List<Received> _requests = [];
    private readonly RunningTotal _arrived = new();
    private readonly CancellationTokenSource _stopping = new();

    private HttpReceiver(WebApplication app)
    {
        _app = app;
    }

    /// <summary>Status and body per request index; default 200 <c>{"ok":true}</c>. A null status never answers (until the client gives up).</summary>
    public Func<int, (int? Status, string Body)> Respond { get; set; } = _ => (200, """{"ok":true}""");

    /// <summary>Extra response headers per request index (a <c>Retry-After</c>); null: none.</summary>
    public Func<int, IReadOnlyDictionary<string, string>?> Headers { get; set; } = _ => null;

    public string BaseUrl { get; private set; } = "";

    public List<Received> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    public static async Task<HttpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new HttpReceiver(app);
        app.Run(receiver.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.BaseUrl = address.TrimEnd('/');
        return receiver;
    }

    /// <summary>Waits until at least <paramref name="count"/> requests arrived.</summary>
    public async Task<List<Received>> WaitForAsync(int count, TimeSpan? timeout = null)
    {
        await _arrived.WaitForAsync(count, timeout ?? TimeSpan.FromSeconds(30), "requests");
        return Requests;
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        int index;
        lock (_gate)
        {
            index = _requests.Count;
            _requests.Add(new Received(context.Request.Path, context.Request.ContentType ?? "", body));
        }

        _arrived.Add(1);

        var (status, answer) = Respond(index);
        if (status is null)
        {
            // A receiver that never answers: hold the request until the client gives up or the test ends.
            using var both = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
            var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (both.Token.Register(() => released.TrySetResult()))
            {
                await released.Task;
            }

            return;
        }

        context.Response.StatusCode = status.Value;
        foreach (var (name, value) in Headers(index) ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(answer);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
    }
}
