using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Pipeline.Tests.Shared;

namespace Pipeline.Ingest.Tests.Infrastructure;

/// <summary>A viewer of <c>GET /api/tail</c> over real HTTP: it reads Server-Sent Events messages as they come.</summary>
public sealed class SseTail : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly HttpClient _client;
    private readonly HttpResponseMessage _response;
    private readonly StreamReader? _reader;

    private SseTail(HttpClient client, HttpResponseMessage response, StreamReader? reader)
    {
        _client = client;
        _response = response;
        _reader = reader;
    }

    public HttpStatusCode Status => _response.StatusCode;

    /// <summary>Subscribes with <paramref name="query"/> (<c>?robot=r1</c>); returns once subscribed (or refused: see <see cref="Status"/>).</summary>
    public static async Task<SseTail> OpenAsync(TestPipeline pipeline, string query = "", string? token = null)
    {
        var client = new HttpClient { BaseAddress = pipeline.HttpUri, Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var timeout = new CancellationTokenSource(Timeout);
        var response = await client.GetAsync("/api/tail" + query, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        if (!response.IsSuccessStatusCode)
        {
            return new SseTail(client, response, null);
        }

        var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token), Encoding.UTF8);
        Assert.Equal(": subscribed", await reader.ReadLineAsync(timeout.Token));
        Assert.Equal("", await reader.ReadLineAsync(timeout.Token));
        return new SseTail(client, response, reader);
    }

    /// <summary>The refusal's JSON body.</summary>
    public async Task<JsonDocument> ErrorBodyAsync()
    {
        Assert.Equal("application/json", _response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await _response.Content.ReadAsStringAsync());
    }

    /// <summary>The next message: its event name and data (null at the end of the stream). Keep-alive comments are skipped.</summary>
    public async Task<(string Event, string Data)?> ReadAsync()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        string? name = null, data = null;
        while (await _reader!.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.Length == 0)
            {
                if (name is not null)
                {
                    return (name, data ?? "");
                }

                continue;
            }

            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                name = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data = line[6..];
            }
        }

        return null;
    }

    /// <summary>The next <paramref name="count"/> messages, which must all be events: their data (JSON lines).</summary>
    public async Task<List<string>> ReadEventsAsync(int count)
    {
        var events = new List<string>();
        while (events.Count < count)
        {
            var message = await ReadAsync();
            Assert.NotNull(message);
            Assert.Equal("event", message.Value.Event);
            events.Add(message.Value.Data);
        }

        return events;
    }

    public async ValueTask DisposeAsync()
    {
        _reader?.Dispose();
        _response.Dispose();
        _client.Dispose();
        await Task.CompletedTask;
    }
}
