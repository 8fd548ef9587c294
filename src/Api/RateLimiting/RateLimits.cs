using System.Threading.RateLimiting;
using CleanWebhooks.Api.Auth;
using CleanWebhooks.Api.Http;
using CleanWebhooks.Application.Common.Localization;
using CleanWebhooks.Infrastructure;

namespace CleanWebhooks.Api.RateLimiting;

/// <summary>
/// Per integrator API key, a token bucket of <c>RateLimiting:Burst</c> requests refilled with
/// <c>RateLimiting:PermitsPerSecond</c> each second (ASP.NET Core's rate limiting middleware). Only requests
/// authenticated by an API key are limited: the internal API, health checks and OpenAPI are not.
/// </summary>
public static class RateLimits
{
    public static IServiceCollection AddRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetCheckedSection<RateLimitingOptions>(RateLimitingOptions.SectionName);
        services.AddSingleton(options);
        services.AddSingleton<FailedAuthentications>();
        if (!options.LimitsKeys)
        {
            return services;
        }

        var bucket = new TokenBucketRateLimiterOptions
        {
            TokenLimit = options.Burst,
            TokensPerPeriod = options.PermitsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
        };
        services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                context.User.Identity is { IsAuthenticated: true, AuthenticationType: AuthSchemes.ApiKey }
                && context.Request.Headers[AuthSchemes.ApiKeyHeader].ToString() is { Length: > 0 } key
                    ? RateLimitPartition.GetTokenBucketLimiter(key, _ => bucket)
                    : RateLimitPartition.GetNoLimiter(""));
            limiter.OnRejected = (rejected, _) => new ValueTask(Problems.WriteTooManyRequestsAsync(
                rejected.HttpContext,
                rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1),
                ProblemTexts.RateLimited.Format(options.PermitsPerSecond, options.Burst),
                "rate_limited"));
        });
        return services;
    }

    /// <summary>After authorization, so that the limiter knows the request's key was valid (unknown keys are answered before).</summary>
    public static IApplicationBuilder UseRateLimits(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.ApplicationServices.GetRequiredService<RateLimitingOptions>().LimitsKeys ? app.UseRateLimiter() : app;
    }
}
