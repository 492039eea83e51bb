using System.Security.Cryptography.X509Certificates;
using Pipeline.Blocks.Configuration;

namespace Pipeline.Ingest.Framing;

/// <summary>
/// TLS of the ingest listeners (<c>Pipeline:Ingest:Tls</c>): the server certificate for an
/// <c>https://</c> <c>HttpUrl</c> (then WebSocket ingest is <c>wss://</c>), and for the TCP port when
/// <see cref="Tcp"/> is set. Off by default: no certificate, plain text as in the embedded default.
/// </summary>
public sealed class TlsOptions : IValidatedOptions
{
    /// <summary>
    /// The server certificate: a PFX/PKCS#12 file (with its private key), or a PEM certificate file
    /// (the key in <see cref="KeyPath"/> or in the same file). Default none.
    /// </summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PEM private key of a PEM <see cref="CertificatePath"/>; unset when the key is in the certificate file. Default none.</summary>
    public string? KeyPath { get; set; }

    /// <summary>The PFX password, or the password of an encrypted PEM key. Default none. Pass it as an environment variable rather than in a file.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>TLS on the raw TCP ingest port too (robots connect with TLS, e.g. <c>openssl s_client</c>). Default false.</summary>
    public bool Tcp { get; set; }

    /// <summary>
    /// The certificate, loaded by <see cref="Validate"/> so that <c>pipeline validate</c> finds a wrong
    /// password or a missing key too; Kestrel uses this instance, so the file is read once.
    /// </summary>
    internal X509Certificate2? Certificate { get; private set; }

    /// <inheritdoc />
    public void Validate(OptionsErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrWhiteSpace(CertificatePath))
        {
            errors.Check(!Tcp, nameof(Tcp), $"true needs a certificate: set {errors.Prefix}:{nameof(CertificatePath)}.");
            errors.Check(string.IsNullOrEmpty(KeyPath), nameof(KeyPath), $"is the key of a PEM certificate: set {errors.Prefix}:{nameof(CertificatePath)} too.");
            errors.Check(string.IsNullOrEmpty(CertificatePassword), nameof(CertificatePassword), $"is set without a certificate: set {errors.Prefix}:{nameof(CertificatePath)} too.");
            return;
        }

        Certificate?.Dispose();
        Certificate = ServerCertificateLoader.Load(this, errors);
    }

    /// <summary>
    /// A warning for a certificate outside its validity dates at <paramref name="now"/>, or null.
    /// Not an error: a restart after the date must not stop ingest for the whole fleet, robots that
    /// pin the certificate keep working, and clients that check dates refuse it loudly on their side.
    /// </summary>
    internal string? DateWarning(DateTimeOffset now, string prefix)
    {
        if (Certificate is not { } certificate)
        {
            return null;
        }

        var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        var notBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero);
        if (now > notAfter)
        {
            return $"{prefix}:{nameof(CertificatePath)}: the certificate {certificate.Subject} expired on {notAfter:yyyy-MM-dd HH:mm} UTC; " +
                "clients that check dates will refuse it: renew it.";
        }

        if (now < notBefore)
        {
            return $"{prefix}:{nameof(CertificatePath)}: the certificate {certificate.Subject} is not valid before {notBefore:yyyy-MM-dd HH:mm} UTC; " +
                "clients that check dates will refuse it until then (is the clock right?).";
        }

        return null;
    }
}
