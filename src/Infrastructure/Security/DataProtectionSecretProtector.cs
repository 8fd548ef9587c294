using CleanWebhooks.Application.Common.Abstractions;
using Microsoft.AspNetCore.DataProtection;

namespace CleanWebhooks.Infrastructure.Security;

/// <summary>
/// Encrypts secrets at rest with ASP.NET Core Data Protection (authenticated encryption, rotating keys). The key
/// ring lives outside the database, in <c>Secrets:KeyDirectory</c>.
/// </summary>
public sealed class DataProtectionSecretProtector(IDataProtectionProvider provider) : ISecretProtector
{
    private readonly IDataProtector _protector = provider.CreateProtector("CleanWebhooks.Secrets.v1");

    public string Protect(string plaintext) => _protector.Protect(plaintext);

    public string Unprotect(string ciphertext) => _protector.Unprotect(ciphertext);
}
