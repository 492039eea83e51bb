using System.Net.Http.Headers;
using System.Text;

namespace Pipeline.ClickHouse.Tests.Infrastructure;

/// <summary>
/// Talks to a ClickHouse server over plain HTTP (not the code under test): runs SQL and reads
/// TabSeparated results. <see cref="Shared"/> is the server test.sh started.
/// </summary>
public sealed class ClickHouseServer
{
    public const string UrlVariable = "PIPELINE_TEST_CLICKHOUSE_URL";
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(60) };

    public ClickHouseServer(string url)
    {
        Url = url.TrimEnd('/');
    }

    public static string? UrlOrNull => Environment.GetEnvironmentVariable(UrlVariable);

    public static ClickHouseServer Shared => new(UrlOrNull ?? throw new InvalidOperationException($"{UrlVariable} is not set."));

    public string Url { get; }

    /// <summary>A database name no other test uses.</summary>
    public static string NewDatabase() => "t_" + Guid.NewGuid().ToString("N")[..16];

    /// <summary>Runs a statement; throws with the server's message when it fails.</summary>
    public async Task<string> RunAsync(string sql, string user = "default", string password = "")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Url + "/");
        request.Content = new StringContent(sql, Encoding.UTF8);
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        using var response = await Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"ClickHouse said {(int)response.StatusCode}: {body.Trim()} (query: {sql})");
        }

        return body;
    }

    /// <summary>Rows of a SELECT as TabSeparated fields.</summary>
    public async Task<List<string[]>> RowsAsync(string sql)
    {
        var text = await RunAsync(sql + " FORMAT TabSeparated");
        var rows = new List<string[]>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            rows.Add(line.Split('\t'));
        }

        return rows;
    }

    public async Task<long> CountAsync(string sql) => long.Parse((await RunAsync(sql)).Trim(), System.Globalization.CultureInfo.InvariantCulture);

    public Task DropDatabaseAsync(string database) => RunAsync($"DROP DATABASE IF EXISTS `{database}`");
}
