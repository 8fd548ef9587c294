using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CleanWebhooks.Testing;

/// <summary>A certificate authority made by a test, and the certificates it issues: nothing of the machine's trust store.</summary>
public sealed class TestCertificates : IDisposable
{
    private readonly DateTimeOffset _notBefore = DateTimeOffset.UtcNow.AddMinutes(-5);

    public TestCertificates(string name = "CleanWebhooks Test CA")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        Authority = request.CreateSelfSigned(_notBefore, _notBefore.AddDays(1));
    }

    public X509Certificate2 Authority { get; }

    /// <summary>A server certificate for 127.0.0.1 (and localhost).</summary>
    public X509Certificate2 IssueServer() => Issue("CN=127.0.0.1", server: true);

    /// <summary>A client certificate (TLS client authentication).</summary>
    public X509Certificate2 IssueClient(string subject = "CN=cleanwebhooks-client") => Issue(subject, server: false);

    /// <summary>True when <paramref name="certificate"/> chains to this authority alone (the machine's roots are not consulted).</summary>
    public bool Issued(X509Certificate2? certificate)
    {
        if (certificate is null)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    /// <summary>A TLS server-certificate check that trusts this authority alone (and still checks the name).</summary>
    public RemoteCertificateValidationCallback ServerValidation() => (_, certificate, _, errors) =>
        (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None
        && certificate is not null && Issued(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));

    public void Dispose() => Authority.Dispose();

    private X509Certificate2 Issue(string subject, bool server)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(server ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        if (server)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            names.AddDnsName("localhost");
            request.CertificateExtensions.Add(names.Build());
        }

        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var issued = request.Create(Authority, _notBefore, _notBefore.AddDays(1), serial);
        using var withKey = issued.CopyWithPrivateKey(key);

        // Through PKCS#12, so that the key is usable by TLS on every platform.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable);
    }
}
