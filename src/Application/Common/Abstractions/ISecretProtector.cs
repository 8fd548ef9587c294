namespace CleanWebhooks.Application.Common.Abstractions;

/// <summary>Encrypts secrets at rest (authorization values, token request bodies, signing secrets).</summary>
/// <remarks>The key never lives in the database.</remarks>
public interface ISecretProtector
{
    string Protect(string plaintext);

    string Unprotect(string ciphertext);
}
