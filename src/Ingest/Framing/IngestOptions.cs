using Pipeline.Blocks.Configuration;
using Pipeline.Ingest.Configuration;

namespace Pipeline.Ingest.Framing;

/// <summary>Options of the ingest front ends (<c>Pipeline:Ingest</c>).</summary>
public sealed class IngestOptions : IValidatedOptions
{
    /// <summary>HTTP API and WebSocket listener. Default <c>http://127.0.0.1:5080</c>.</summary>
    public string HttpUrl { get; set; } = "http://127.0.0.1:5080";

    /// <summary>Raw TCP NDJSON listener, <c>host:port</c>. Default <c>127.0.0.1:5140</c>.</summary>
    public string TcpEndpoint { get; set; } = "127.0.0.1:5140";

    /// <summary>A longer line is discarded whole (counted, dead-lettered) and the connection goes on. Default 1 MiB.</summary>
    public int MaxLineBytes { get; set; } = 1024 * 1024;

    /// <summary>A batch is handed to the graph at this many bytes of input. Default 256 KiB.</summary>
    public int BatchMaxBytes { get; set; } = 256 * 1024;

    /// <summary>…or at this many lines. Default 2048.</summary>
    public int BatchMaxEvents { get; set; } = 2048;

    /// <summary>…or this long after its first line, so a quiet robot is not delayed. Default 50 ms.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>A connection that sends nothing for this long is closed. Default 5 min.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Open connections allowed per protocol; more are refused and counted. Default 10000.</summary>
    public int MaxConnections { get; set; } = 10_000;

    /// <inheritdoc />
    public void Validate(OptionsErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        errors.Check(Uri.TryCreate(HttpUrl, UriKind.Absolute, out var url) && url.Scheme == "http", nameof(HttpUrl),
            $"must be an http:// URL such as http://127.0.0.1:5080 (got '{HttpUrl}').");
        errors.Check(EndpointParser.TryParse(TcpEndpoint, out _), nameof(TcpEndpoint),
            $"must be host:port such as 127.0.0.1:5140 (got '{TcpEndpoint}').");
        errors.Check(MaxLineBytes is >= 64 and <= 64 * 1024 * 1024, nameof(MaxLineBytes), $"must be 64 B to 64 MiB (got {MaxLineBytes}).");
        errors.Check(BatchMaxBytes is >= 1024 and <= 64 * 1024 * 1024, nameof(BatchMaxBytes), $"must be 1 KiB to 64 MiB (got {BatchMaxBytes}).");
        errors.Check(BatchMaxEvents >= 1, nameof(BatchMaxEvents), $"must be at least 1 (got {BatchMaxEvents}).");
        errors.Check(FlushInterval > TimeSpan.Zero, nameof(FlushInterval), $"must be positive, e.g. 00:00:00.050 (got {FlushInterval}).");
        errors.Check(IdleTimeout > TimeSpan.Zero, nameof(IdleTimeout), $"must be positive (got {IdleTimeout}).");
        errors.Check(MaxConnections >= 1, nameof(MaxConnections), $"must be at least 1 (got {MaxConnections}).");
    }
}
