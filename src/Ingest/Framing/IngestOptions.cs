using Pipeline.Blocks.Configuration;
using Pipeline.Ingest.Configuration;

namespace Pipeline.Ingest.Framing;

/// <summary>Options of the ingest front ends (<c>Pipeline:Ingest</c>).</summary>
public sealed class IngestOptions : IValidatedOptions
{
    /// <summary>
    /// HTTP API and WebSocket listener. Default <c>http://127.0.0.1:5080</c>. An <c>https://</c> URL
    /// (then WebSocket ingest is <c>wss://</c>) needs <c>Tls:CertificatePath</c>.
    /// </summary>
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

    /// <summary>TLS of the listeners (<c>Pipeline:Ingest:Tls</c>); off by default.</summary>
    public TlsOptions Tls { get; set; } = new();

    /// <summary>True when <see cref="HttpUrl"/> is <c>https://</c>.</summary>
    internal bool IsHttps => Uri.TryCreate(HttpUrl, UriKind.Absolute, out var url) && url.Scheme == Uri.UriSchemeHttps;

    /// <inheritdoc />
    public void Validate(OptionsErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        errors.Check(Uri.TryCreate(HttpUrl, UriKind.Absolute, out var url) && url.Scheme is "http" or "https", nameof(HttpUrl),
            $"must be an http:// or https:// URL such as http://127.0.0.1:5080 (got '{HttpUrl}').");
        var certificate = !string.IsNullOrWhiteSpace(Tls.CertificatePath);
        errors.Check(!IsHttps || certificate, nameof(HttpUrl),
            $"an https:// URL needs a certificate: set {errors.Prefix}:Tls:CertificatePath (got '{HttpUrl}').");
        // A certificate nobody uses is a mistake that looks like encryption: refuse it rather than run in plain text.
        errors.Check(!certificate || IsHttps || Tls.Tcp, "Tls:CertificatePath",
            $"is set but no listener uses it: make {errors.Prefix}:HttpUrl https:// and/or set {errors.Prefix}:Tls:Tcp=true.");
        errors.Check(EndpointParser.TryParse(TcpEndpoint, out _), nameof(TcpEndpoint),
            $"must be host:port such as 127.0.0.1:5140 (got '{TcpEndpoint}').");
        errors.Check(MaxLineBytes is >= 64 and <= 64 * 1024 * 1024, nameof(MaxLineBytes), $"must be 64 B to 64 MiB (got {MaxLineBytes}).");
        errors.Check(BatchMaxBytes is >= 1024 and <= 64 * 1024 * 1024, nameof(BatchMaxBytes), $"must be 1 KiB to 64 MiB (got {BatchMaxBytes}).");
        errors.Check(BatchMaxEvents >= 1, nameof(BatchMaxEvents), $"must be at least 1 (got {BatchMaxEvents}).");
        errors.Check(FlushInterval > TimeSpan.Zero, nameof(FlushInterval), $"must be positive, e.g. 00:00:00.050 (got {FlushInterval}).");
        errors.Check(IdleTimeout > TimeSpan.Zero, nameof(IdleTimeout), $"must be positive (got {IdleTimeout}).");
        errors.Check(MaxConnections >= 1, nameof(MaxConnections), $"must be at least 1 (got {MaxConnections}).");
        Tls.Validate(errors.Nested(nameof(Tls)));
    }
}
