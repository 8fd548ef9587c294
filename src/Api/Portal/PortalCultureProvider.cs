using Microsoft.AspNetCore.Localization;

namespace CleanWebhooks.Api.Portal;

/// <summary>
/// The portal speaks Brazilian Portuguese unless the browser prefers English (of the two, English ranks higher in
/// <c>Accept-Language</c>). The API keeps its own default (English); this only decides for <c>/portal</c>.
/// </summary>
public sealed class PortalCultureProvider : RequestCultureProvider
{
    public override Task<ProviderCultureResult?> DetermineProviderCultureResult(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        if (!httpContext.Request.Path.StartsWithSegments(PortalRoutes.Root))
        {
            return NullProviderCultureResult;
        }

        var preferred = httpContext.Request.GetTypedHeaders().AcceptLanguage
            .Where(l => l.Quality is null or > 0)
            .OrderByDescending(l => l.Quality ?? 1)
            .Select(l => l.Value.Value ?? "")
            .FirstOrDefault(l => l.StartsWith("en", StringComparison.OrdinalIgnoreCase) || l.StartsWith("pt", StringComparison.OrdinalIgnoreCase));
        var culture = preferred?.StartsWith("en", StringComparison.OrdinalIgnoreCase) == true ? "en" : "pt-BR";
        return Task.FromResult<ProviderCultureResult?>(new ProviderCultureResult(culture));
    }
}
