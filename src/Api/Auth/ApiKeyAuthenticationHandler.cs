using CleanWebhooks.Application.Common.Localization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using CleanWebhooks.Api.RateLimiting;
using CleanWebhooks.Application.Clients.AuthenticateApiKey;
using Mediator;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace CleanWebhooks.Api.Auth;

/// <summary>Resolves <c>X-API-KEY</c> to its client. A missing, unknown or revoked key is a 401 problem.</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ISender sender, FailedAuthentications failures)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(AuthSchemes.ApiKeyHeader, out var values) || values.Count != 1)
        {
            return AuthenticateResult.NoResult();
        }

        var clientId = await sender.Send(new AuthenticateApiKeyQuery(values[0], failures.IsThrottled(Context)), Context.RequestAborted);
        if (clientId is null)
        {
            return AuthenticateResult.Fail(failures.Record(Context) ? "Unknown or revoked API key." : "Too many failed authentications from this address.");
        }

        var identity = new ClaimsIdentity([new Claim(AuthSchemes.ClientIdClaim, clientId.Value.ToString())], Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        FailedAuthentications.ChallengeAsync(Context, ProblemTexts.KeyRequired.Format(AuthSchemes.ApiKeyHeader));
}
