using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using CleanWebhooks.Api.Auth;
using CleanWebhooks.Api.Endpoints;
using Mediator;
using CleanWebhooks.Api.Http;
using CleanWebhooks.Api.OpenApi;
using CleanWebhooks.Api.RateLimiting;
using CleanWebhooks.Api.Telemetry;
using CleanWebhooks.Api.Portal;
using CleanWebhooks.Application.Clients;
using CleanWebhooks.Infrastructure;
using CleanWebhooks.Application.Common.Behaviors;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Localization;
using Microsoft.Net.Http.Headers;
using Microsoft.AspNetCore.Routing;
using NSwag;
using NSwag.Generation.Processors.Security;

namespace CleanWebhooks.Api;

public static class DependencyInjection
{
    /// <summary>The HTTP face: mediator, authentication, problem answers, JSON, localization and OpenAPI.</summary>
    public static IServiceCollection AddApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMediator((MediatorOptions options) =>
        {
            options.ServiceLifetime = ServiceLifetime.Scoped;
            options.Assemblies = [typeof(Application.DependencyInjection)];
            options.PipelineBehaviors = [typeof(ValidationBehavior<,>)];
        });

        ConfiguredKeys.Add(services, configuration);
        services.AddSingleton<InternalKeys>();
        services.AddSingleton(configuration.GetCheckedSection<ApiKeyCacheOptions>(ApiKeyCacheOptions.SectionName));
        services.AddRateLimits(configuration);
        services.AddTelemetry(configuration);
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(AuthSchemes.ApiKey, null)
            .AddScheme<AuthenticationSchemeOptions, InternalKeyAuthenticationHandler>(AuthSchemes.InternalKey, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(AuthPolicies.Integrator, p => p.AddAuthenticationSchemes(AuthSchemes.ApiKey).RequireAuthenticatedUser())
            .AddPolicy(AuthPolicies.Internal, p => p.AddAuthenticationSchemes(AuthSchemes.InternalKey).RequireAuthenticatedUser());

        // Registered before AddProblemDetails, so it is the writer chosen for every problem.
        services.AddSingleton<IProblemDetailsWriter, JsonProblemDetailsWriter>();
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            // Answers made by the framework itself (no route, wrong method) get a detail like ours.
            context.ProblemDetails.Detail ??= Problems.DefaultDetail(context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode);
            context.ProblemDetails.Extensions.TryAdd("traceId", context.HttpContext.TraceIdentifier);
        });
        services.AddExceptionHandler<GlobalExceptionHandler>();

        // Binding failures (malformed JSON, wrong types, wrong content type) throw, so that one handler answers them.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);

        var zone = TimeZone(configuration);
        services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.Converters.Add(new DisplayTimeJsonConverter(zone));

            // Strict bodies (contract section 6): a misspelled "athorization" must not create a webhook without
            // credentials, a property given twice has no "last one wins", and "type": "0" is not a number.
            options.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
            options.SerializerOptions.AllowDuplicateProperties = false;
            options.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
            options.SerializerOptions.TypeInfoResolver = (options.SerializerOptions.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver())
                .WithAddedModifier(DocumentEventBatchResult.LeaveDeliveryIdOutOfErrors);
        });
        services.AddSingleton(new DisplayTime(zone));

        services.AddRequestLocalization(options =>
        {
            string[] cultures = ["en", "pt-BR"];
            options.SetDefaultCulture(cultures[0]).AddSupportedCultures(cultures).AddSupportedUICultures(cultures);

            // Any pt (pt, pt-PT, pt-BR) means Brazilian Portuguese: the framework's own provider maps only listed
            // cultures and their children, so plain "pt" fell back to English.
            options.RequestCultureProviders = [
                .. options.RequestCultureProviders.Where(p => p is not AcceptLanguageHeaderRequestCultureProvider)];
            options.RequestCultureProviders.Add(new CustomRequestCultureProvider(context => Task.FromResult(PreferredLanguage(context))));
            options.RequestCultureProviders.Insert(0, new PortalCultureProvider());
        });

        services.AddPortal(configuration);

        services.AddEndpointsApiExplorer();
        services.AddOpenApiDocument(settings =>
        {
            settings.Title = "CleanWebhooks";
            settings.Description = "Webhook registration and delivery for document-processing integrators.";
            settings.DocumentProcessors.Add(new SecurityDefinitionAppender(AuthSchemes.ApiKey, new OpenApiSecurityScheme
            {
                Type = OpenApiSecuritySchemeType.ApiKey,
                Name = AuthSchemes.ApiKeyHeader,
                In = OpenApiSecurityApiKeyLocation.Header,
                Description = "An integrator's API key.",
            }));
            settings.DocumentProcessors.Add(new SecurityDefinitionAppender(AuthSchemes.InternalKey, new OpenApiSecurityScheme
            {
                Type = OpenApiSecuritySchemeType.ApiKey,
                Name = AuthSchemes.InternalKeyHeader,
                In = OpenApiSecurityApiKeyLocation.Header,
                Description = "A key of the platform's own services (Internal:ApiKeys).",
            }));
            settings.OperationProcessors.Add(new SecurityRequirementProcessor());
            settings.OperationProcessors.Add(new EndpointSummaryProcessor());
            settings.OperationProcessors.Add(new RetryAfterResponsesProcessor());
            settings.DocumentProcessors.Add(new IntegratorDocumentProcessor());
        });

        return services;
    }

    /// <summary>The zone that display times are shown in (<c>Api:TimeZone</c>, an IANA id; São Paulo's by default).</summary>
    private static TimeZoneInfo TimeZone(IConfiguration configuration)
    {
        var id = configuration["Api:TimeZone"] is { Length: > 0 } configured ? configured : "America/Sao_Paulo";
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new InvalidOperationException(
                $"The service cannot start with these settings:{Environment.NewLine}- Api:TimeZone '{id}' is not a time zone this machine knows " +
                "(an IANA id such as America/Sao_Paulo).", e);
        }
    }

    /// <summary>The first language of Accept-Language (by quality) that we answer in: any pt* is pt-BR, any en* is en.</summary>
    private static ProviderCultureResult? PreferredLanguage(HttpContext context)
    {
        if (!StringWithQualityHeaderValue.TryParseList(context.Request.Headers.AcceptLanguage, out var languages))
        {
            return null;
        }

        foreach (var language in languages.OrderByDescending(l => l.Quality ?? 1))
        {
            var tag = language.Value.Value ?? "";
            if (language.Quality == 0)
            {
                continue;
            }

            if (tag.Equals("pt", StringComparison.OrdinalIgnoreCase) || tag.StartsWith("pt-", StringComparison.OrdinalIgnoreCase))
            {
                return new ProviderCultureResult("pt-BR");
            }

            if (tag.Equals("en", StringComparison.OrdinalIgnoreCase) || tag.StartsWith("en-", StringComparison.OrdinalIgnoreCase))
            {
                return new ProviderCultureResult("en");
            }
        }

        return null;
    }

    /// <summary>The request pipeline, then every endpoint group.</summary>
    public static WebApplication UseApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // First, so that the exception handler's answers (malformed JSON, wrong types) speak the request's language too.
        app.UseRequestLocalization();
        app.UseMiddleware<PortalSecurityHeaders>();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<RequestBodyLimit>();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimits();

        // One relative server: generators need one, and the document is right wherever the service is hosted.
        app.UseOpenApi(settings => settings.PostProcess = (document, _) =>
        {
            document.Servers.Clear();
            document.Servers.Add(new OpenApiServer { Url = "/", Description = "The service that serves this document." });
        });
        app.UseSwaggerUi();

        app.MapHealthEndpoints();
        app.MapWebhookEndpoints();
        app.MapDeliveryEndpoints();
        app.MapClientEndpoints();
        app.MapDocumentEventEndpoints();
        app.MapRazorPages();
        return app;
    }
}
