using System.Security.Cryptography;
using CleanWebhooks.Application.Common.Abstractions;
using CleanWebhooks.Domain.Clients;
using Microsoft.AspNetCore.DataProtection;

namespace CleanWebhooks.Infrastructure.Security;

/// <summary>
/// Portal link tokens sealed with ASP.NET Core Data Protection (authenticated encryption) under their own purpose and
/// with an expiration, so a token is useless for anything else, after its time, or with a single bit changed.
/// Nodes that share the key ring (<c>Secrets:KeyDirectory</c>) read each other's tokens.
/// </summary>
public sealed class DataProtectionPortalSessionTokens(IDataProtectionProvider provider) : IPortalSessionTokens
{
    private readonly ITimeLimitedDataProtector _protector =
        provider.CreateProtector("CleanWebhooks.Portal.Session.v1").ToTimeLimitedDataProtector();

    public string Issue(PortalSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        return _protector.Protect(session.ClientId.Value.ToString("N"), session.ExpiresAt);
    }

    public PortalSession? Read(string token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 2048)
        {
            return null;
        }

        try
        {
            var clientId = _protector.Unprotect(token, out var expiresAt);
            return Guid.TryParseExact(clientId, "N", out var id) ? new PortalSession(new ClientId(id), expiresAt) : null;
        }
        catch (CryptographicException)
        {
            // Forged, tampered with, expired, or sealed with a key this ring does not have: all the same to the reader.
            return null;
        }
        catch (FormatException)
        {
            // Not even base64url.
            return null;
        }
    }
}
