using ClickHouse.Driver.ADO;

namespace Pipeline.Ingest.Cli.Query;

/// <summary>Where the query verbs read: the server's HTTP address, credentials, and the events table.</summary>
internal sealed record ClickHouseTarget(Uri Address, string User, string Password, string Database, string Table)
{
    /// <summary><c>http://host:port</c>, without credentials, for messages.</summary>
    public string Description => $"{Address.Scheme}://{Address.Host}:{Address.Port}";

    /// <summary>The events table, quoted: <c>`pipeline`.`logs`</c>.</summary>
    public string QualifiedTable => $"`{Database}`.`{Table}`";

    /// <summary>Accepts <c>http(s)://user:password@host:port</c> or a ClickHouse.Driver connection string (as the sink does).</summary>
    public static ClickHouseTarget Parse(string connectionString, string database, string table)
    {
        if (Uri.TryCreate(connectionString, UriKind.Absolute, out var url) && (url.Scheme == "http" || url.Scheme == "https"))
        {
            var colon = url.UserInfo.IndexOf(':', StringComparison.Ordinal);
            var user = url.UserInfo.Length == 0 ? "default" : Uri.UnescapeDataString(colon < 0 ? url.UserInfo : url.UserInfo[..colon]);
            var password = colon < 0 ? "" : Uri.UnescapeDataString(url.UserInfo[(colon + 1)..]);
            var port = url.IsDefaultPort ? (url.Scheme == "https" ? 8443 : 8123) : url.Port;
            return new ClickHouseTarget(new UriBuilder(url.Scheme, url.Host, port, "/").Uri, user, password, database, table);
        }

        var settings = new ClickHouseClientSettings(connectionString);
        return new ClickHouseTarget(
            new UriBuilder(settings.Protocol, settings.Host, settings.Port, "/").Uri,
            string.IsNullOrEmpty(settings.Username) ? "default" : settings.Username,
            settings.Password ?? "",
            database,
            table);
    }
}
