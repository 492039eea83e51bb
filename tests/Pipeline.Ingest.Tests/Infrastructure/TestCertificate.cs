using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Pipeline.Tests.Shared;

namespace Pipeline.Ingest.Tests.Infrastructure;

/// <summary>
/// A self-signed server certificate made for one test (ECDSA P-256, SAN 127.0.0.1 and localhost),
/// written to its own temporary directory as PFX or PEM; clients pin it by its SHA-256 hash.
/// </summary>
public sealed class TestCertificate : IDisposable
{
    private readonly ECDsa _key;
    private readonly X509Certificate2 _certificate;
    private readonly TempDirectory _directory = new();

    private TestCertificate(ECDsa key, X509Certificate2 certificate)
    {
        _key = key;
        _certificate = certificate;
        Sha256 = certificate.GetCertHashString(HashAlgorithmName.SHA256);
    }

    /// <summary>Valid from a day ago for a year, unless <paramref name="notAfter"/> says otherwise.</summary>
    public static TestCertificate Create(DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var certificate = request.CreateSelfSigned(notBefore ?? DateTimeOffset.UtcNow.AddDays(-1), notAfter ?? DateTimeOffset.UtcNow.AddYears(1));
        return new TestCertificate(key, certificate);
    }

    public string Sha256 { get; }

    /// <summary>Accepts exactly this certificate (a pin: the chain of a self-signed one is not trusted).</summary>
    public RemoteCertificateValidationCallback Pinned =>
        (_, certificate, _, _) => certificate?.GetCertHashString(HashAlgorithmName.SHA256) == Sha256;

    /// <summary>A PFX with the certificate and its key; returns its path.</summary>
    public string WritePfx(string? password = null)
    {
        var path = _directory.Combine("server.pfx");
        File.WriteAllBytes(path, _certificate.Export(X509ContentType.Pfx, password));
        return path;
    }

    /// <summary>A PFX with the certificate only (no private key); returns its path.</summary>
    public string WritePfxWithoutKey()
    {
        using var publicOnly = X509CertificateLoader.LoadCertificate(_certificate.RawData);
        var path = _directory.Combine("public.pfx");
        File.WriteAllBytes(path, publicOnly.Export(X509ContentType.Pfx));
        return path;
    }

    /// <summary>The certificate as PEM; returns its path.</summary>
    public string WritePemCertificate() => _directory.Write("server.crt", _certificate.ExportCertificatePem());

    /// <summary>The private key as PKCS#8 PEM; returns its path.</summary>
    public string WritePemKey() => _directory.Write("server.key", _key.ExportPkcs8PrivateKeyPem());

    /// <summary>A file with <paramref name="content"/>, for paths that are not certificates; returns its path.</summary>
    public string WriteFile(string name, string content) => _directory.Write(name, content);

    public string MissingPath => _directory.Combine("missing.pfx");

    public void Dispose()
    {
        _certificate.Dispose();
        _key.Dispose();
        _directory.Dispose();
    }
}
