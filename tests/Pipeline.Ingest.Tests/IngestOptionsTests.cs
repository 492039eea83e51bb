using Pipeline.Blocks.Configuration;
using Pipeline.Ingest.Framing;

namespace Pipeline.Ingest.Tests;

public sealed class IngestOptionsTests
{
    [Fact]
    public void TheDefaultsAreValid() => Assert.Empty(Errors(new IngestOptions()));

    [Fact]
    public void EveryBadKeyIsReportedAtOnceWithItsPath()
    {
        var options = new IngestOptions
        {
            HttpUrl = "ftp://127.0.0.1:5080",
            TcpEndpoint = "nowhere",
            MaxLineBytes = 10,
            BatchMaxBytes = 10,
            BatchMaxEvents = 0,
            FlushInterval = TimeSpan.Zero,
            IdleTimeout = TimeSpan.Zero,
            MaxConnections = 0,
        };

        Assert.Equal(
        [
            "Pipeline:Ingest:HttpUrl: must be an http:// or https:// URL such as http://127.0.0.1:5080 (got 'ftp://127.0.0.1:5080').",
            "Pipeline:Ingest:TcpEndpoint: must be host:port such as 127.0.0.1:5140 (got 'nowhere').",
            "Pipeline:Ingest:MaxLineBytes: must be 64 B to 64 MiB (got 10).",
            "Pipeline:Ingest:BatchMaxBytes: must be 1 KiB to 64 MiB (got 10).",
            "Pipeline:Ingest:BatchMaxEvents: must be at least 1 (got 0).",
            "Pipeline:Ingest:FlushInterval: must be positive, e.g. 00:00:00.050 (got 00:00:00).",
            "Pipeline:Ingest:IdleTimeout: must be positive (got 00:00:00).",
            "Pipeline:Ingest:MaxConnections: must be at least 1 (got 0).",
        ], Errors(options));
    }

    [Fact]
    public void AnHttpsUrlWithoutACertificateIsRejectedNamingHttpUrlAndTheCertificateKey()
    {
        var errors = Errors(new IngestOptions { HttpUrl = "https://127.0.0.1:5080" });

        Assert.Equal(
            ["Pipeline:Ingest:HttpUrl: an https:// URL needs a certificate: set Pipeline:Ingest:Tls:CertificatePath (got 'https://127.0.0.1:5080')."],
            errors);
    }

    [Fact]
    public void TlsOnTheTcpPortWithoutACertificateIsRejectedNamingTheKey()
    {
        var errors = Errors(new IngestOptions { Tls = new TlsOptions { Tcp = true } });

        Assert.Equal(["Pipeline:Ingest:Tls:Tcp: true needs a certificate: set Pipeline:Ingest:Tls:CertificatePath."], errors);
    }

    private static List<string> Errors(IngestOptions options)
    {
        var errors = new List<string>();
        options.Validate(new OptionsErrors("Pipeline:Ingest", errors));
        return errors;
    }
}
