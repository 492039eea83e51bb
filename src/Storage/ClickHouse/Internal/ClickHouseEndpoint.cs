using System.Text;
using ClickHouse.Driver;
using ClickHouse.Driver.ADO;

namespace Pipeline.Storage.ClickHouse.Internal;

/// <summary>
/// The few things the sink asks of ClickHouse, over ClickHouse.Driver's HTTP client. Reads use
/// <c>FORMAT TabSeparated</c> in the query: the driver's default read format
/// (RowBinaryWithNamesAndTypes) does not exist before ClickHouse 19, and the JSON modes are off
/// because old servers reject the settings they send.
/// </summary>
internal sealed class ClickHouseEndpoint : IDisposable
{
    private static readonly Dictionary<string, object> DecompressSetting = new() { ["decompress"] = 1 };
    private readonly ClickHouseClient _client;
    private readonly QueryOptions _lz4Options = new() { CustomSettings = DecompressSetting };

    private readonly HttpClient _http;

    public ClickHouseEndpoint(string connectionString, TimeSpan timeout)
    {
        // Our own handler for a short connect timeout: a host that drops packets fails in seconds,
        // not after the whole request timeout, so the sink spools instead of holding the graph.
        _http = new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromTicks(Math.Min(timeout.Ticks, TimeSpan.FromSeconds(5).Ticks)),
            AutomaticDecompression = System.Net.DecompressionMethods.All,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(2), // under ClickHouse's keep_alive_timeout (3 s)
        })
        {
            Timeout = timeout,
        };
        var settings = new ClickHouseClientSettings(ParseSettings(connectionString))
        {
            HttpClient = _http,
            JsonReadMode = JsonReadMode.None,
            JsonWriteMode = JsonWriteMode.None,
            UseCompression = false,
            Timeout = timeout,
            // Tables are always named with their database, so the database need not exist yet.
            Database = "",
        };
        Description = $"{settings.Protocol}://{settings.Host}:{settings.Port}";
        _client = new ClickHouseClient(settings);
    }

    /// <summary><c>http://host:port</c>, without credentials, for log lines.</summary>
    public string Description { get; }

    /// <summary>Accepts <c>http(s)://user:password@host:port</c> or a ClickHouse.Driver connection string.</summary>
    public static ClickHouseClientSettings ParseSettings(string connectionString)
    {
        if (Uri.TryCreate(connectionString, UriKind.Absolute, out var url) && (url.Scheme == "http" || url.Scheme == "https"))
        {
            var colon = url.UserInfo.IndexOf(':', StringComparison.Ordinal);
            var user = url.UserInfo.Length == 0 ? "default" : Uri.UnescapeDataString(colon < 0 ? url.UserInfo : url.UserInfo[..colon]);
            var password = colon < 0 ? "" : Uri.UnescapeDataString(url.UserInfo[(colon + 1)..]);
            return new ClickHouseClientSettings
            {
                Host = url.Host,
                Port = (ushort)(url.IsDefaultPort ? (url.Scheme == "https" ? 8443 : 8123) : url.Port),
                Protocol = url.Scheme,
                Username = user,
                Password = password,
            };
        }

        return new ClickHouseClientSettings(connectionString);
    }

    public async Task<string> VersionAsync(CancellationToken cancellationToken)
    {
        var rows = await QueryAsync("SELECT version()", cancellationToken).ConfigureAwait(false);
        return rows.Count > 0 && rows[0].Length > 0 ? rows[0][0] : "";
    }

    public async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        using var result = await _client.ExecuteRawResultAsync(sql, null, cancellationToken).ConfigureAwait(false);
        await result.ReadAsByteArrayAsync().ConfigureAwait(false);
    }

    /// <summary>Runs a SELECT and returns its rows, fields unescaped from TabSeparated.</summary>
    public async Task<List<string[]>> QueryAsync(string sql, CancellationToken cancellationToken)
    {
        using var result = await _client.ExecuteRawResultAsync(sql + " FORMAT TabSeparated", null, cancellationToken).ConfigureAwait(false);
        var text = await result.ReadAsStringAsync().ConfigureAwait(false);
        var rows = new List<string[]>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split('\t');
            for (var i = 0; i < fields.Length; i++)
            {
                fields[i] = TabSeparated.Unescape(fields[i]);
            }

            rows.Add(fields);
        }

        return rows;
    }

    /// <summary>Sends one INSERT … FORMAT RowBinary whose body is <paramref name="payload"/>; returns on HTTP 200, throws otherwise.</summary>
    public async Task InsertAsync(string table, IEnumerable<string> columns, ReadOnlyMemory<byte> payload, PayloadFormat format, CancellationToken cancellationToken)
    {
        if (!System.Runtime.InteropServices.MemoryMarshal.TryGetArray(payload, out var segment))
        {
            throw new ArgumentException("The payload must be array-backed.", nameof(payload));
        }

        using var body = new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false);
        using var response = await _client.InsertRawStreamAsync(table, body, "RowBinary", columns,
            useCompression: format == PayloadFormat.RowBinaryGzip,
            format == PayloadFormat.RowBinaryLz4 ? _lz4Options : null,
            cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
    }

    public void Dispose()
    {
        _client.Dispose();
        _http.Dispose();
    }
}
