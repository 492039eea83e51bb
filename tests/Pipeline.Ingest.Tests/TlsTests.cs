using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pipeline.Ingest.Configuration;
using Pipeline.Ingest.Hosting;
using Pipeline.Ingest.Tests.Infrastructure;
using Pipeline.Tests.Shared;

namespace Pipeline.Ingest.Tests;

/// <summary>
/// <c>wss://</c>, HTTPS and TLS on the TCP port from <c>Pipeline:Ingest:Tls</c>, with a self-signed
/// certificate made in the test, over real sockets; and the start-up checks of the certificate.
/// </summary>
public sealed class TlsTests
{
    [Fact]
    public async Task WebSocketEventsOverWssReachTheFiles()
    {
        using var certificate = TestCertificate.Create();
        await using var pipeline = await StartAsync(certificate.WritePfx());
        Assert.Equal("wss", pipeline.WebSocketUri.Scheme);

        using (var ws = await WsPeer.ConnectAsync(pipeline, o => o.RemoteCertificateValidationCallback = certificate.Pinned))
        {
            await ws.SendTextAsync(Ndjson.Line("w", "one"));
            await ws.SendTextAsync(Ndjson.Line("w", "two"));
            await ws.CloseAsync();
        }

        await pipeline.WaitForClosedConnectionsAsync(1);
        await pipeline.StopAsync();

        var events = LoggedEvent.ReadAll(pipeline);
        Assert.Equal(["one", "two"], events.Select(e => e.Msg));
        Assert.All(events, e => Assert.Equal("websocket", e.Protocol));
    }

    [Fact]
    public async Task NdjsonLinesOverTlsOnTheTcpPortReachTheFiles()
    {
        using var certificate = TestCertificate.Create();
        await using var pipeline = await StartAsync(certificate.WritePfx());

        await SendOverTlsAsync(pipeline, certificate, Ndjson.Line("t", "one") + Ndjson.Line("t", "two") + Ndjson.Line("t", "three"));
        await pipeline.StopAsync();

        var events = LoggedEvent.ReadAll(pipeline);
        Assert.Equal(["one", "two", "three"], events.Select(e => e.Msg));
        Assert.All(events, e => Assert.Equal("tcp", e.Protocol));
        Assert.Equal(1, pipeline.Metric("pipeline_ingest_connections_closed_total", "tcp", "eof"));
        Assert.Equal(0, pipeline.Metric("pipeline_ingest_connections_rejected_total", "tcp", "tls_handshake"));
    }

    [Fact]
    public async Task APlainTextClientOnTheTlsTcpPortIsClosedCountedAndNothingIsWritten()
    {
        using var certificate = TestCertificate.Create();
        var logs = new WarningLog();
        await using var pipeline = await StartAsync(certificate.WritePfx(), services: s => s.AddLogging(b => b.AddProvider(logs)));

        using (var plain = await pipeline.ConnectTcpAsync())
        {
            var stream = plain.GetStream();
            await stream.WriteAsync(Ndjson.Bytes(Ndjson.Line("plain", "in the clear")));
            await ReadUntilClosedAsync(stream);
        }

        // The service goes on serving TLS clients.
        await SendOverTlsAsync(pipeline, certificate, Ndjson.Line("t", "after"));
        await pipeline.StopAsync();

        Assert.Equal(["after"], LoggedEvent.ReadAll(pipeline).Select(e => e.Msg));
        Assert.Empty(pipeline.ReadDeadLetters());
        // Stopped, so Kestrel has finished with the refused connection too.
        Assert.Equal(1, pipeline.Metric("pipeline_ingest_connections_rejected_total", "tcp", "tls_handshake"));
        Assert.Equal(1, pipeline.Metric("pipeline_ingest_connections_closed_total", "tcp", "eof"));
        Assert.Empty(logs.Records);
    }

    [Fact]
    public async Task AFailedTlsHandshakeIsAConnectionFailedEvent()
    {
        using var certificate = TestCertificate.Create();
        await using var pipeline = await TestPipeline.StartAsync(new Dictionary<string, string>
        {
            ["Ingest:HttpUrl"] = "https://127.0.0.1:0",
            ["Ingest:Tls:CertificatePath"] = certificate.WritePfx(),
            ["Ingest:Tls:Tcp"] = "true",
            ["Robots:LifecycleEvents"] = "true",
        });
        using (var plain = await pipeline.ConnectTcpAsync())
        {
            var stream = plain.GetStream();
            await stream.WriteAsync(Ndjson.Bytes(Ndjson.Line("plain", "in the clear")));
            await ReadUntilClosedAsync(stream);
        }

        await pipeline.StopAsync();
        var failed = pipeline.ReadLogLines().Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement)
            .Single(e => e.GetProperty("attrs").GetProperty("event").GetString() == "connection_failed");
        Assert.Equal("tls handshake failed", failed.GetProperty("attrs").GetProperty("reason").GetString());
        Assert.Equal("tcp", failed.GetProperty("attrs").GetProperty("transport").GetString());
    }

    [Fact]
    public async Task HealthzAnswersOverHttps()
    {
        using var certificate = TestCertificate.Create();
        await using var pipeline = await StartAsync(certificate.WritePfx());
        Assert.Equal("https", pipeline.HttpUri.Scheme);

        using var client = PinnedHttpClient(pipeline, certificate);
        using var response = await client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task APemCertificateWithItsKeyInASeparateFileServesWssAndTcp()
    {
        using var certificate = TestCertificate.Create();
        await using var pipeline = await TestPipeline.StartAsync(new Dictionary<string, string>
        {
            ["Ingest:HttpUrl"] = "https://127.0.0.1:0",
            ["Ingest:Tls:CertificatePath"] = certificate.WritePemCertificate(),
            ["Ingest:Tls:KeyPath"] = certificate.WritePemKey(),
            ["Ingest:Tls:Tcp"] = "true",
        });

        using (var ws = await WsPeer.ConnectAsync(pipeline, o => o.RemoteCertificateValidationCallback = certificate.Pinned))
        {
            await ws.SendTextAsync(Ndjson.Line("w", "over wss"));
            await ws.CloseAsync();
        }

        await pipeline.WaitForClosedConnectionsAsync(1);
        await SendOverTlsAsync(pipeline, certificate, Ndjson.Line("t", "over tls"));
        await pipeline.StopAsync();

        Assert.Equal(["over tls", "over wss"], LoggedEvent.ReadAll(pipeline).Select(e => e.Msg).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task WithoutTlsTcpTheTcpPortStaysPlainTextBesideHttps()
    {
        using var certificate = TestCertificate.Create();
        await using var pipeline = await TestPipeline.StartAsync(new Dictionary<string, string>
        {
            ["Ingest:HttpUrl"] = "https://127.0.0.1:0",
            ["Ingest:Tls:CertificatePath"] = certificate.WritePfx(),
        });

        await pipeline.SendTcpAsync(Ndjson.Bytes(Ndjson.Line("p", "plain tcp")));
        using (var client = PinnedHttpClient(pipeline, certificate))
        {
            using var response = await client.GetAsync("/healthz");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await pipeline.StopAsync();

        Assert.Equal(["plain tcp"], LoggedEvent.ReadAll(pipeline).Select(e => e.Msg));
    }

    [Fact]
    public void AMissingCertificateFileIsRejectedNamingTheKey()
    {
        using var certificate = TestCertificate.Create();

        var error = Assert.Single(BuildErrors("--Pipeline:Ingest:HttpUrl=https://127.0.0.1:0", "--Pipeline:Ingest:Tls:CertificatePath=" + certificate.MissingPath));

        Assert.Equal($"Pipeline:Ingest:Tls:CertificatePath: file not found: {certificate.MissingPath} (a PFX, or a PEM with Tls:KeyPath)", error);
    }

    [Fact]
    public void AWrongPfxPasswordIsRejectedNamingThePasswordKeyWithoutShowingIt()
    {
        using var certificate = TestCertificate.Create();
        var pfx = certificate.WritePfx("right-password");

        var error = Assert.Single(BuildErrors(
            "--Pipeline:Ingest:HttpUrl=https://127.0.0.1:0", "--Pipeline:Ingest:Tls:CertificatePath=" + pfx, "--Pipeline:Ingest:Tls:CertificatePassword=wrong-password"));

        Assert.Equal($"Pipeline:Ingest:Tls:CertificatePassword: does not open {pfx} (wrong password).", error);
    }

    [Fact]
    public void APasswordProtectedPfxWithoutAPasswordIsRejectedNamingThePasswordKey()
    {
        using var certificate = TestCertificate.Create();
        var pfx = certificate.WritePfx("right-password");

        var error = Assert.Single(BuildErrors("--Pipeline:Ingest:HttpUrl=https://127.0.0.1:0", "--Pipeline:Ingest:Tls:CertificatePath=" + pfx));

        Assert.Equal($"Pipeline:Ingest:Tls:CertificatePassword: {pfx} is protected by a password: set it.", error);
    }

    [Fact]
    public async Task APasswordProtectedPfxWithItsPasswordServesHttps()
    {
        using var certificate = TestCertificate.Create();
        await using var pipeline = await TestPipeline.StartAsync(new Dictionary<string, string>
        {
            ["Ingest:HttpUrl"] = "https://127.0.0.1:0",
            ["Ingest:Tls:CertificatePath"] = certificate.WritePfx("right-password"),
            ["Ingest:Tls:CertificatePassword"] = "right-password",
        });

        using var client = PinnedHttpClient(pipeline, certificate);
        using var response = await client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public void AnHttpsUrlWithoutACertificateIsRejectedNamingHttpUrlAndTheCertificateKey()
    {
        var error = Assert.Single(BuildErrors("--Pipeline:Ingest:HttpUrl=https://127.0.0.1:0"));

        Assert.StartsWith("Pipeline:Ingest:HttpUrl: an https:// URL needs a certificate: set Pipeline:Ingest:Tls:CertificatePath", error);
    }

    [Fact]
    public void TlsOnTheTcpPortWithoutACertificateIsRejectedNamingTheKey()
    {
        var error = Assert.Single(BuildErrors("--Pipeline:Ingest:Tls:Tcp=true"));

        Assert.Equal("Pipeline:Ingest:Tls:Tcp: true needs a certificate: set Pipeline:Ingest:Tls:CertificatePath.", error);
    }

    [Fact]
    public void APfxWithoutAPrivateKeyIsRejectedNamingTheKey()
    {
        using var certificate = TestCertificate.Create();
        var pfx = certificate.WritePfxWithoutKey();

        var error = Assert.Single(BuildErrors("--Pipeline:Ingest:Tls:Tcp=true", "--Pipeline:Ingest:Tls:CertificatePath=" + pfx));

        Assert.StartsWith($"Pipeline:Ingest:Tls:CertificatePath: {pfx} holds no private key for CN=localhost", error);
    }

    [Fact]
    public void APemCertificateWithoutAKeyIsRejectedNamingTheKey()
    {
        using var certificate = TestCertificate.Create();
        var pem = certificate.WritePemCertificate();

        var error = Assert.Single(BuildErrors("--Pipeline:Ingest:Tls:Tcp=true", "--Pipeline:Ingest:Tls:CertificatePath=" + pem));

        Assert.StartsWith($"Pipeline:Ingest:Tls:CertificatePath: {pem} holds no private key: set Tls:KeyPath to the PEM key file", error);
    }

    [Fact]
    public void AKeyFileThatDoesNotMatchTheCertificateIsRejectedNamingKeyPath()
    {
        using var certificate = TestCertificate.Create();
        using var other = TestCertificate.Create();

        var error = Assert.Single(BuildErrors(
            "--Pipeline:Ingest:Tls:Tcp=true", "--Pipeline:Ingest:Tls:CertificatePath=" + certificate.WritePemCertificate(), "--Pipeline:Ingest:Tls:KeyPath=" + other.WritePemKey()));

        Assert.StartsWith("Pipeline:Ingest:Tls:KeyPath: ", error);
        Assert.Contains("holds no private key that matches the certificate", error, StringComparison.Ordinal);
    }

    [Fact]
    public void AFileThatIsNotACertificateIsRejectedNamingTheKey()
    {
        using var certificate = TestCertificate.Create();
        var junk = certificate.WriteFile("notes.txt", "not a certificate");

        var error = Assert.Single(BuildErrors("--Pipeline:Ingest:Tls:Tcp=true", "--Pipeline:Ingest:Tls:CertificatePath=" + junk));

        Assert.StartsWith($"Pipeline:Ingest:Tls:CertificatePath: cannot read {junk} as a PFX/PKCS#12 or PEM certificate", error);
    }

    [Fact]
    public void AKeyPathBesideAPfxIsRejectedNamingKeyPath()
    {
        using var certificate = TestCertificate.Create();

        var error = Assert.Single(BuildErrors(
            "--Pipeline:Ingest:Tls:Tcp=true", "--Pipeline:Ingest:Tls:CertificatePath=" + certificate.WritePfx(), "--Pipeline:Ingest:Tls:KeyPath=" + certificate.WritePemKey()));

        Assert.StartsWith("Pipeline:Ingest:Tls:KeyPath: is only for a PEM certificate", error);
    }

    [Fact]
    public void ACertificateThatNoListenerUsesIsRejectedRatherThanServingPlainText()
    {
        using var certificate = TestCertificate.Create();

        var error = Assert.Single(BuildErrors("--Pipeline:Ingest:Tls:CertificatePath=" + certificate.WritePfx()));

        Assert.Equal(
            "Pipeline:Ingest:Tls:CertificatePath: is set but no listener uses it: make Pipeline:Ingest:HttpUrl https:// and/or set Pipeline:Ingest:Tls:Tcp=true.",
            error);
    }

    [Fact]
    public void AnUnknownKeyUnderTlsIsRejectedNamingIt()
    {
        var error = Assert.Single(BuildErrors("--Pipeline:Ingest:Tls:Certificate=/x.pfx"));

        Assert.StartsWith("Pipeline:Ingest:Tls:Certificate: unknown setting (known: CertificatePath, KeyPath, CertificatePassword, Tcp)", error);
    }

    [Fact]
    public void AnExpiredCertificateIsAWarningNotAnError()
    {
        using var certificate = TestCertificate.Create(DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(-1));
        var errors = new List<string>();

        var settings = PipelineSettings.Load(new ConfigurationBuilder().AddCommandLine(
            ["--Pipeline:Ingest:Tls:Tcp=true", "--Pipeline:Ingest:Tls:CertificatePath=" + certificate.WritePfx()]).Build(), errors);

        Assert.Empty(errors);
        Assert.StartsWith("Pipeline:Ingest:Tls:CertificatePath: the certificate CN=localhost expired on ", Assert.Single(settings.Warnings));
    }

    [Fact]
    public void TheDefaultsHaveNoTlsAndNeedNoCertificate()
    {
        var errors = new List<string>();

        var settings = PipelineSettings.Load(new ConfigurationBuilder().Build(), errors);

        Assert.Empty(errors);
        Assert.Null(settings.Ingest.Tls.Certificate);
        Assert.False(settings.Ingest.Tls.Tcp);
    }

    private static Task<TestPipeline> StartAsync(string certificatePath, Action<IServiceCollection>? services = null) =>
        TestPipeline.StartAsync(new Dictionary<string, string>
        {
            ["Ingest:HttpUrl"] = "https://127.0.0.1:0",
            ["Ingest:Tls:CertificatePath"] = certificatePath,
            ["Ingest:Tls:Tcp"] = "true",
        }, services);

    /// <summary>One TLS connection to the TCP port: handshake (pinned), the text, close_notify, then wait until the server has closed too.</summary>
    private static async Task SendOverTlsAsync(TestPipeline pipeline, TestCertificate certificate, string text)
    {
        var before = pipeline.ClosedCount;
        using (var client = await pipeline.ConnectTcpAsync())
        await using (var tls = new SslStream(client.GetStream()))
        {
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                RemoteCertificateValidationCallback = certificate.Pinned,
            }, limit.Token);
            await tls.WriteAsync(Ndjson.Bytes(text), limit.Token);
            await tls.ShutdownAsync();
            await ReadUntilClosedAsync(tls);
        }

        await pipeline.WaitForClosedConnectionsAsync(before + 1);
    }

    /// <summary>Reads until the server closes; a reset counts as closed (the server may close with our bytes unread).</summary>
    private static async Task ReadUntilClosedAsync(Stream stream)
    {
        var buffer = new byte[4096];
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            while (await stream.ReadAsync(buffer, limit.Token) > 0)
            {
            }
        }
        catch (IOException ex) when (ex.InnerException is SocketException)
        {
        }
    }

    private static HttpClient PinnedHttpClient(TestPipeline pipeline, TestCertificate certificate) =>
        new(new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = certificate.Pinned } })
        {
            BaseAddress = pipeline.HttpUri,
            Timeout = TimeSpan.FromSeconds(30),
        };

    private static List<string> BuildErrors(params string[] args)
    {
        var ex = Assert.Throws<ConfigurationException>(() => PipelineHost.Build(args));
        return [.. ex.Errors];
    }
}
