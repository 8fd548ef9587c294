using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CleanWebhooks.Infrastructure.Delivery;

/// <summary>
/// <c>Delivery:ClientCertificate</c>: the certificate presented to receivers and token endpoints that ask for one
/// (mutual TLS). A PKCS#12 file, or a PEM file with the certificate and its private key (encrypted with the password or
/// not). Neither the password nor the key is ever logged or returned.
/// </summary>
public sealed class ClientCertificateOptions
{
    public string? Path { get; set; }

    public string? Password { get; set; }

    /// <summary>The certificate with its private key, or null when none is configured; throws, naming the setting, when it cannot be used.</summary>
    public X509Certificate2? Load()
    {
        if (string.IsNullOrWhiteSpace(Path))
        {
            return null;
        }

        X509Certificate2 certificate;
        try
        {
            certificate = IsPem(Path)
                ? string.IsNullOrEmpty(Password)
                    ? X509Certificate2.CreateFromPemFile(Path)
                    : X509Certificate2.CreateFromEncryptedPemFile(Path, Password)
                : X509CertificateLoader.LoadPkcs12FromFile(Path, Password, X509KeyStorageFlags.EphemeralKeySet);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            // The message names the setting, never the password.
            throw new InvalidOperationException(
                $"Delivery:ClientCertificate:Path '{Path}' could not be read as a PKCS#12 or PEM certificate with its private key " +
                $"(check the file and Delivery:ClientCertificate:Password): {e.GetType().Name}.", e);
        }

        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new InvalidOperationException($"Delivery:ClientCertificate:Path '{Path}' holds no private key: mutual TLS needs the certificate's key.");
        }

        return certificate;
    }

    private static bool IsPem(string path)
    {
        using var reader = new StreamReader(path);
        var buffer = new char[64];
        var read = reader.ReadBlock(buffer, 0, buffer.Length);
        return new string(buffer, 0, read).TrimStart().StartsWith("-----BEGIN", StringComparison.Ordinal);
    }
}
