using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Pipeline.Blocks.Configuration;

namespace Pipeline.Ingest.Framing;

/// <summary>
/// Loads the server certificate of <see cref="TlsOptions"/>: a PFX/PKCS#12 file, or a PEM certificate
/// with its key. Every problem (missing file, unreadable, not a certificate, wrong password, no private
/// key) becomes one error naming the key to fix; the password never appears in a message.
/// </summary>
internal static class ServerCertificateLoader
{
    /// <summary>ERROR_INVALID_PASSWORD: how the PKCS#12 loader tells a wrong password from a damaged file.</summary>
    private const int InvalidPassword = unchecked((int)0x80070056);

    private const string Hint = "(a PFX, or a PEM with Tls:KeyPath)";

    public static X509Certificate2? Load(TlsOptions options, OptionsErrors errors)
    {
        var path = Path.GetFullPath(options.CertificatePath!);
        if (!TryRead(path, nameof(TlsOptions.CertificatePath), Hint, errors, out var bytes))
        {
            return null;
        }

        return IsPem(bytes) ? LoadPem(options, path, bytes, errors) : LoadPfx(options, path, bytes, errors);
    }

    private static X509Certificate2? LoadPfx(TlsOptions options, string path, byte[] bytes, OptionsErrors errors)
    {
        if (!string.IsNullOrEmpty(options.KeyPath))
        {
            errors.Add(nameof(TlsOptions.KeyPath), $"is only for a PEM certificate; {path} is not PEM (a PFX holds its own key): unset it.");
            return null;
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12(bytes, options.CertificatePassword);
        }
        catch (CryptographicException ex) when (ex.HResult == InvalidPassword)
        {
            errors.Add(nameof(TlsOptions.CertificatePassword), string.IsNullOrEmpty(options.CertificatePassword)
                ? $"{path} is protected by a password: set it."
                : $"does not open {path} (wrong password).");
            return null;
        }
        catch (CryptographicException ex)
        {
            errors.Add(nameof(TlsOptions.CertificatePath), $"cannot read {path} as a PFX/PKCS#12 or PEM certificate: {ex.Message} {Hint}");
            return null;
        }

        if (!certificate.HasPrivateKey)
        {
            errors.Add(nameof(TlsOptions.CertificatePath), $"{path} holds no private key for {certificate.Subject}; a server needs one (export the PFX with its key).");
            certificate.Dispose();
            return null;
        }

        return certificate;
    }

    private static X509Certificate2? LoadPem(TlsOptions options, string path, byte[] bytes, OptionsErrors errors)
    {
        var certificatePem = System.Text.Encoding.UTF8.GetString(bytes);
        try
        {
            // The certificate alone first, so that "not a certificate" and "no key" are told apart.
            using var _ = X509Certificate2.CreateFromPem(certificatePem);
        }
        catch (CryptographicException ex)
        {
            errors.Add(nameof(TlsOptions.CertificatePath), $"{path} is PEM but holds no readable CERTIFICATE block: {ex.Message}");
            return null;
        }

        var keyKey = nameof(TlsOptions.CertificatePath);
        var keyPath = path;
        var keyPem = certificatePem;
        if (!string.IsNullOrEmpty(options.KeyPath))
        {
            keyKey = nameof(TlsOptions.KeyPath);
            keyPath = Path.GetFullPath(options.KeyPath);
            if (!TryRead(keyPath, keyKey, "(the PEM private key of Tls:CertificatePath)", errors, out var keyBytes))
            {
                return null;
            }

            keyPem = System.Text.Encoding.UTF8.GetString(keyBytes);
        }

        X509Certificate2 certificate;
        try
        {
            certificate = string.IsNullOrEmpty(options.CertificatePassword)
                ? X509Certificate2.CreateFromPem(certificatePem, keyPem)
                : X509Certificate2.CreateFromEncryptedPem(certificatePem, keyPem, options.CertificatePassword);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            // ArgumentException: a well-formed key of another certificate.
            var what = keyKey == nameof(TlsOptions.KeyPath)
                ? $"{keyPath} holds no private key that matches the certificate in {path}"
                : $"{path} holds no private key: set Tls:KeyPath to the PEM key file";
            errors.Add(keyKey, $"{what} (an encrypted key needs Tls:CertificatePassword): {ex.Message}");
            return null;
        }

        if (OperatingSystem.IsWindows())
        {
            // SChannel cannot use the ephemeral key of a PEM import; a PKCS#12 round trip persists it (as Kestrel does).
            using (certificate)
            {
                return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), password: null);
            }
        }

        return certificate;
    }

    private static bool TryRead(string path, string key, string hint, OptionsErrors errors, out byte[] bytes)
    {
        bytes = [];
        if (!File.Exists(path))
        {
            errors.Add(key, $"file not found: {path} {hint}");
            return false;
        }

        try
        {
            bytes = File.ReadAllBytes(path);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            errors.Add(key, $"cannot read {path}: {ex.Message}");
            return false;
        }
    }

    /// <summary>PEM is text with <c>-----BEGIN </c> armour; anything else is taken for PKCS#12 (binary DER).</summary>
    private static bool IsPem(byte[] bytes) => bytes.AsSpan().IndexOf("-----BEGIN "u8) >= 0;
}
