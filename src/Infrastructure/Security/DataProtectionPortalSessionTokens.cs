using System.Globalization;
using System.Security.Cryptography;
using CleanWebhooks.Application.Common.Abstractions;
using CleanWebhooks.Domain.Clients;
using Microsoft.AspNetCore.DataProtection;

namespace CleanWebhooks.Infrastructure.Security;

/// <summary>
/// Portal link tokens sealed with ASP.NET Core Data Protection (authenticated encryption) under their own purpose and
/// with an expiration, so a token is useless for anything else, after its time, or with a single bit changed.
/// Nodes that share the key ring (<c>Secrets:KeyDirectory</c>) read each other's tokens. The sealed text is
/// <c>{clientId}.{linkId}.{generation}</c>; a token of the earlier form (the client id alone) has no link id, and
/// opens nothing.
/// </summary>
public sealed class DataProtectionPortalSessionTokens(IDataProtectionProvider provider) : IPortalSessionTokens
{
    private readonly ITimeLimitedDataProtector _protector =
        provider.CreateProtector("CleanWebhooks.Portal.Session.v1").ToTimeLimitedDataProtector();

    public string Issue(PortalSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        return _protector.Protect(
            string.Create(CultureInfo.InvariantCulture, $"{session.ClientId.Value:N}.{session.LinkId:N}.{session.Generation}"), session.ExpiresAt);
    }

    public PortalSession? Read(string token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 2048)
        {
            return null;
        }

        try
        {
            var parts = _protector.Unprotect(token, out var expiresAt).Split('.');
            return parts.Length == 3
                && Guid.TryParseExact(parts[0], "N", out var clientId)
                && Guid.TryParseExact(parts[1], "N", out var linkId)
                && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var generation)
                ? new PortalSession(new ClientId(clientId), expiresAt, linkId, generation)
                : null;
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
