using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;

namespace CleanWebhooks.Portal.Tests;

/// <summary>The portal's HTTP surface without a browser: the session cookie, headers, language and expiry.</summary>
public sealed class PortalHttpTests : IClassFixture<ApiFactory>
{
    private readonly ApiFactory _factory;

    public PortalHttpTests(ApiFactory factory) => _factory = factory;

    [Fact]
    public async Task SessionLink_FirstLoad_SetsAHardenedCookieAndRedirectsWithoutTheToken()
    {
        using var integrator = await _factory.CreateIntegratorAsync("Cookie");
        var session = await _factory.OpenPortalSessionAsync(integrator.ClientId);
        using var browser = NoRedirects(_factory);

        using var opened = await browser.GetAsync(new Uri(session.Url, UriKind.Relative));

        Assert.Equal(HttpStatusCode.Redirect, opened.StatusCode);
        Assert.Equal("/portal", opened.Headers.Location?.ToString());
        var cookie = Assert.Single(opened.Headers.GetValues("Set-Cookie"), c => c.StartsWith("cleanwebhooks.portal=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/portal", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("no-referrer", Assert.Single(opened.Headers.GetValues("Referrer-Policy")));

        using var page = await GetWithCookieAsync(browser, "/portal", cookie);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        using var without = await browser.GetAsync(new Uri("/portal", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Redirect, without.StatusCode);
        Assert.Equal("/portal/expired", without.Headers.Location?.ToString());
    }

    [Fact]
    public async Task PortalPage_Always_HasStrictSecurityHeaders()
    {
        using var browser = NoRedirects(_factory);

        using var page = await browser.GetAsync(new Uri("/portal/expired", UriKind.Relative));

        var csp = Assert.Single(page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("script-src", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(page.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-referrer", Assert.Single(page.Headers.GetValues("Referrer-Policy")));
        Assert.Equal("no-store", page.Headers.CacheControl?.ToString());
        // The inline stylesheet carries this answer's nonce.
        var nonce = csp.Split("'nonce-")[1].Split('\'')[0];
        Assert.Contains($"<style nonce=\"{nonce}\">", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "Este link expirou", "pt-BR")]
    [InlineData("pt-BR,pt;q=0.9", "Este link expirou", "pt-BR")]
    [InlineData("fr-FR", "Este link expirou", "pt-BR")]
    [InlineData("en-US,en;q=0.9", "This link has expired", "en")]
    [InlineData("fr-FR,en;q=0.8,pt;q=0.5", "This link has expired", "en")]
    [InlineData("pt-BR,en;q=0.9", "Este link expirou", "pt-BR")]
    public async Task PortalPage_ByAcceptLanguage_IsPortugueseUnlessTheBrowserPrefersEnglish(string? acceptLanguage, string heading, string lang)
    {
        using var browser = NoRedirects(_factory);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/portal/expired");
        if (acceptLanguage is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept-Language", acceptLanguage);
        }

        using var page = await browser.SendAsync(request);
        var html = await page.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Forbidden, page.StatusCode);
        Assert.Contains(heading, html, StringComparison.Ordinal);
        Assert.Contains($"<html lang=\"{lang}\">", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Problems_OfTheApi_StayEnglishByDefault()
    {
        // The portal's Portuguese default does not leak into the API's problem answers.
        using var admin = _factory.CreateInternalClient();
        using var response = await admin.PostAsync(new Uri($"/internal/clients/{Guid.NewGuid()}/portal_sessions", UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("The client does not exist.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenPortalSession_WithoutTheInternalKey_IsUnauthorized()
    {
        using var integrator = await _factory.CreateIntegratorAsync("No key");
        using var response = await integrator.Http.PostAsync(new Uri($"/internal/clients/{integrator.ClientId}/portal_sessions", UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task SessionLink_IssuedByOneNode_IsAcceptedByAnother()
    {
        using var integrator = await _factory.CreateIntegratorAsync("Two nodes");
        await integrator.CreateWebhookAsync("Seen from node two", "http://127.0.0.1:9/:id");
        using var second = ApiFactory.SharingDatabaseWith(_factory);
        var session = await _factory.OpenPortalSessionAsync(integrator.ClientId);
        using var onSecond = NoRedirects(second);
        using var onFirst = NoRedirects(_factory);

        using var opened = await onSecond.GetAsync(new Uri(session.Url, UriKind.Relative));
        Assert.Equal("/portal", opened.Headers.Location?.ToString());
        var cookie = opened.Headers.GetValues("Set-Cookie").First(c => c.StartsWith("cleanwebhooks.portal=", StringComparison.Ordinal));

        // And the cookie one node set is accepted by the other.
        using var page = await GetWithCookieAsync(onFirst, "/portal", cookie);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Seen from node two", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SessionLink_UsedAgainOnAnyNode_OpensNothing()
    {
        using var integrator = await _factory.CreateIntegratorAsync("Once");
        using var second = ApiFactory.SharingDatabaseWith(_factory);
        var session = await _factory.OpenPortalSessionAsync(integrator.ClientId);
        using var onFirst = NoRedirects(_factory);
        using var onSecond = NoRedirects(second);

        using var opened = await onFirst.GetAsync(new Uri(session.Url, UriKind.Relative));
        using var againElsewhere = await onSecond.GetAsync(new Uri(session.Url, UriKind.Relative));
        using var againHere = await onFirst.GetAsync(new Uri(session.Url, UriKind.Relative));

        Assert.Equal("/portal", opened.Headers.Location?.ToString());
        foreach (var again in new[] { againElsewhere, againHere })
        {
            Assert.Equal("/portal/expired", again.Headers.Location?.ToString());
            Assert.DoesNotContain(again.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : [], c => c.StartsWith("cleanwebhooks.portal=C", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task EndPortalSessions_OnOneNode_EndsASessionOnAnotherAtOnceButNotOneOpenedAfter()
    {
        using var integrator = await _factory.CreateIntegratorAsync("Ended on two nodes");
        using var second = ApiFactory.SharingDatabaseWith(_factory);
        using var onSecond = NoRedirects(second);
        var cookie = await SignInAsync(onSecond, await _factory.OpenPortalSessionAsync(integrator.ClientId));
        using (var before = await GetWithCookieAsync(onSecond, "/portal", cookie))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        Assert.Equal(HttpStatusCode.NoContent, await _factory.EndPortalSessionsAsync(integrator.ClientId));

        using var after = await GetWithCookieAsync(onSecond, "/portal", cookie);
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.Equal("/portal/expired", after.Headers.Location?.ToString());
        var newer = await SignInAsync(onSecond, await _factory.OpenPortalSessionAsync(integrator.ClientId));
        using var page = await GetWithCookieAsync(onSecond, "/portal", newer);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }

    [Fact]
    public async Task RevokeApiKey_OfTheClient_EndsItsPortalSessionsOpenedBefore()
    {
        using var integrator = await _factory.CreateIntegratorAsync("Revoked");
        using var browser = NoRedirects(_factory);
        var cookie = await SignInAsync(browser, await _factory.OpenPortalSessionAsync(integrator.ClientId));
        var unused = await _factory.OpenPortalSessionAsync(integrator.ClientId);

        Assert.Equal(HttpStatusCode.NoContent, await _factory.RevokeApiKeyAsync(integrator.ClientId, integrator.ApiKeyId));

        using var page = await GetWithCookieAsync(browser, "/portal", cookie);
        Assert.Equal("/portal/expired", page.Headers.Location?.ToString());
        using var link = await browser.GetAsync(new Uri(unused.Url, UriKind.Relative));
        Assert.Equal("/portal/expired", link.Headers.Location?.ToString());
    }

    [Fact]
    public async Task Session_AfterExpiresAt_ShowsOnlyTheExpiredPage()
    {
        await using var shortLived = new ApiFactory();
        shortLived.Settings["Portal:SessionLifetime"] = "00:00:03";
        using var integrator = await shortLived.CreateIntegratorAsync("Short");
        await integrator.CreateWebhookAsync("Short-lived webhook", "http://127.0.0.1:9/:id");
        var session = await shortLived.OpenPortalSessionAsync(integrator.ClientId);
        using var browser = NoRedirects(shortLived);
        using var opened = await browser.GetAsync(new Uri(session.Url, UriKind.Relative));
        var cookie = opened.Headers.GetValues("Set-Cookie").First(c => c.StartsWith("cleanwebhooks.portal=", StringComparison.Ordinal));
        Assert.InRange(session.ExpiresAt, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddSeconds(4));

        while (DateTimeOffset.UtcNow <= session.ExpiresAt.AddMilliseconds(200))
        {
            await Task.Delay(100);
        }

        using var page = await GetWithCookieAsync(browser, "/portal", cookie);
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Equal("/portal/expired", page.Headers.Location?.ToString());
        using var reopened = await browser.GetAsync(new Uri(session.Url, UriKind.Relative));
        Assert.Equal("/portal/expired", reopened.Headers.Location?.ToString());
    }

    [Fact]
    public async Task PortalPage_WithFrameAncestorsConfigured_AllowsThoseFramers()
    {
        await using var embedded = new ApiFactory();
        embedded.Settings["Portal:FrameAncestors"] = "https://dashboard.example.com";
        using var browser = NoRedirects(embedded);

        using var page = await browser.GetAsync(new Uri("/portal/expired", UriKind.Relative));

        Assert.Contains("frame-ancestors https://dashboard.example.com", Assert.Single(page.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
        Assert.False(page.Headers.Contains("X-Frame-Options"));
    }

    /// <summary>Opens a portal link; returns the session cookie it set.</summary>
    private static async Task<string> SignInAsync(HttpClient browser, PortalApi.Session session)
    {
        using var opened = await browser.GetAsync(new Uri(session.Url, UriKind.Relative));
        Assert.Equal("/portal", opened.Headers.Location?.ToString());
        return opened.Headers.GetValues("Set-Cookie").First(c => c.StartsWith("cleanwebhooks.portal=", StringComparison.Ordinal));
    }

    private static HttpClient NoRedirects(ApiFactory factory) =>
        factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });

    private static async Task<HttpResponseMessage> GetWithCookieAsync(HttpClient client, string path, string setCookie)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", setCookie.Split(';')[0]);
        return await client.SendAsync(request);
    }
}
