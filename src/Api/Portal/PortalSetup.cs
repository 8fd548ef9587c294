using System.Globalization;
using CleanWebhooks.Api.Auth;
using CleanWebhooks.Api.Pages.Portal;
using CleanWebhooks.Application.Portal.CheckPortalSession;
using Mediator;
using Microsoft.AspNetCore.Authentication;
using CleanWebhooks.Application.Portal;
using CleanWebhooks.Infrastructure;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace CleanWebhooks.Api.Portal;

/// <summary>
/// The integrator portal: Razor Pages under <c>/portal</c>, signed in by a cookie that a portal link's token is
/// exchanged for, forms protected by antiforgery, its own language default and security headers. The pages send
/// the same mediator messages as the API: another door into the same use cases.
/// </summary>
public static class PortalSetup
{
    public const string SessionCookie = "cleanwebhooks.portal";
    public const string AntiforgeryCookie = "cleanwebhooks.portal.af";

    public static IServiceCollection AddPortal(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetCheckedSection<PortalOptions>(PortalOptions.SectionName);
        if (options.SessionLifetime <= TimeSpan.Zero)
        {
            throw new InvalidOperationException("Portal:SessionLifetime must be positive.");
        }

        PortalSecurityHeaders.Validate(options.FrameAncestors);
        services.AddSingleton(options);

        services.AddAuthentication().AddCookie(AuthSchemes.Portal);
        services.AddOptions<CookieAuthenticationOptions>(AuthSchemes.Portal).Configure<IHostEnvironment>((cookie, environment) =>
        {
            cookie.Cookie.Name = SessionCookie;
            cookie.Cookie.Path = PortalRoutes.Root;
            cookie.Cookie.HttpOnly = true;
            // Lax, not Strict: the first page load comes from the platform's site, and its redirect must carry the cookie.
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            cookie.Cookie.SecurePolicy = environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
            // The session ends at the link's expiresAt, whatever happens meanwhile.
            cookie.SlidingExpiration = false;
            cookie.Events.OnRedirectToLogin = context =>
            {
                context.Response.Redirect(PortalRoutes.Expired);
                return Task.CompletedTask;
            };
            cookie.Events.OnRedirectToAccessDenied = cookie.Events.OnRedirectToLogin;

            // Every page asks the database whether the client ended its sessions since this one was opened (or revoked
            // an API key): an ending takes effect at once, on every node.
            cookie.Events.OnValidatePrincipal = async context =>
            {
                var principal = context.Principal;
                if (principal?.FindFirst(OpenModel.GenerationClaim)?.Value is not { } claim
                    || !int.TryParse(claim, NumberStyles.None, CultureInfo.InvariantCulture, out var generation)
                    || !await context.HttpContext.RequestServices.GetRequiredService<ISender>().Send(
                        new CheckPortalSessionQuery(principal.ClientId(), generation), context.HttpContext.RequestAborted))
                {
                    context.RejectPrincipal();
                    await context.HttpContext.SignOutAsync(AuthSchemes.Portal);
                }
            };
        });
        services.AddAuthorizationBuilder()
            .AddPolicy(AuthPolicies.Portal, p => p.AddAuthenticationSchemes(AuthSchemes.Portal).RequireAuthenticatedUser().RequireClaim(AuthSchemes.ClientIdClaim));

        services.AddAntiforgery(antiforgery =>
        {
            antiforgery.Cookie.Name = AntiforgeryCookie;
            antiforgery.Cookie.Path = PortalRoutes.Root;
            // Secure when the request is (antiforgery refuses to run at all over plain HTTP with Always, as behind a
            // TLS-terminating proxy); the cookie is no credential by itself, only paired with the session cookie.
            antiforgery.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            // Framing is decided by the CSP's frame-ancestors (Portal:FrameAncestors), not by a fixed SAMEORIGIN.
            antiforgery.SuppressXFrameOptionsHeader = true;
        });

        services.AddRazorPages(pages =>
        {
            pages.Conventions.AuthorizeFolder("/Portal", AuthPolicies.Portal);
            pages.Conventions.AllowAnonymousToPage("/Portal/Open");
            pages.Conventions.AllowAnonymousToPage("/Portal/Expired");
        });
        return services;
    }
}
