using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Pipeline.Storage.ClickHouse;

namespace Pipeline.Ingest.Cli.Query;

/// <summary>
/// Runs SQL over ClickHouse's HTTP interface and returns rows. Reads ask for
/// <c>FORMAT TabSeparatedWithNames</c>, which every server since 1.1 speaks (18.16 included);
/// the query goes in the POST body so its length is not limited by the URL.
/// </summary>
internal sealed class QueryRunner : IDisposable
{
    private readonly HttpClient _http;
    private readonly ClickHouseTarget _target;

    public QueryRunner(ClickHouseTarget target, TimeSpan timeout)
    {
        _target = target;
        _http = new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromTicks(Math.Min(timeout.Ticks, TimeSpan.FromSeconds(5).Ticks)),
            AutomaticDecompression = DecompressionMethods.All,
        })
        {
            Timeout = timeout,
        };
    }

    public ClickHouseTarget Target => _target;

    /// <summary>A read: the rows of <paramref name="sql"/> (without a FORMAT clause) and its column names.</summary>
    public async Task<QueryResult> QueryAsync(string sql, CancellationToken cancellationToken)
    {
        var text = await RawAsync(sql + "\nFORMAT TabSeparatedWithNames", cancellationToken).ConfigureAwait(false);
        var lines = text.Split('\n');
        var count = lines.Length > 0 && lines[^1].Length == 0 ? lines.Length - 1 : lines.Length;
        if (count == 0)
        {
            return new QueryResult([], []);
        }

        var columns = Fields(lines[0]);
        var rows = new List<string[]>(count - 1);
        for (var i = 1; i < count; i++)
        {
            rows.Add(Fields(lines[i]));
        }

        return new QueryResult(columns, rows);
    }

    /// <summary>Runs any statement and returns the response body as it came.</summary>
    public async Task<string> RawAsync(string sql, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _target.Address);
        request.Content = new StringContent(sql, Encoding.UTF8, "text/plain");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_target.User}:{_target.Password}")));
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new ClickHouseUnreachableException($"cannot reach ClickHouse at {_target.Description}: {ex.Message}", ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ClickHouseUnreachableException($"ClickHouse at {_target.Description} did not answer within {_http.Timeout.TotalSeconds:0} s", ex);
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden ||
                (!response.IsSuccessStatusCode && body.Contains("Code: 516", StringComparison.Ordinal)) ||
                (!response.IsSuccessStatusCode && body.Contains("Code: 193", StringComparison.Ordinal)) ||
                (!response.IsSuccessStatusCode && body.Contains("Code: 192", StringComparison.Ordinal)))
            {
                // 192/193 (unknown user, wrong password) on old servers, 516 on new: the connection, not the query.
                throw new ClickHouseUnreachableException($"ClickHouse at {_target.Description} refused user '{_target.User}': {body.Trim()}");
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new ClickHouseQueryException(body.Trim());
            }

            return body;
        }
    }

    public void Dispose() => _http.Dispose();

    private static string[] Fields(string line)
    {
        var fields = line.Split('\t');
        for (var i = 0; i < fields.Length; i++)
        {
            fields[i] = TabSeparated.Unescape(fields[i]);
        }

        return fields;
    }
}
