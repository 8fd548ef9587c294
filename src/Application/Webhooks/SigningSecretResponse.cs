namespace CleanWebhooks.Application.Webhooks;

/// <summary>A webhook's current signing secret (<c>whsec_...</c>), to verify <c>webhook-signature</c>.</summary>
public sealed record SigningSecretResponse(string Key);
