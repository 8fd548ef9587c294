namespace CleanWebhooks.Api.Auth;

public static class AuthPolicies
{
    public const string Integrator = "Integrator";
    public const string Internal = "Internal";
    public const string Portal = "Portal";
}
