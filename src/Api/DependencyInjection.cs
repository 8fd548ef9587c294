using CleanWebhooks.Api.Auth;
using CleanWebhooks.Api.Endpoints;
using Mediator;
using CleanWebhooks.Api.Http;
using CleanWebhooks.Api.OpenApi;
using CleanWebhooks.Api.RateLimiting;
using CleanWebhooks.Api.Telemetry;
using CleanWebhooks.Application.Common.Behaviors;
using Microsoft.AspNetCore.Authentication;
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

        services.AddSingleton<InternalKeys>();
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

        var zone = TimeZoneInfo.FindSystemTimeZoneById(configuration["Api:TimeZone"] is { Length: > 0 } tz ? tz : "America/Sao_Paulo");
        services.ConfigureHttpJsonOptions(options => options.SerializerOptions.Converters.Add(new DisplayTimeJsonConverter(zone)));

        services.AddRequestLocalization(options =>
        {
            string[] cultures = ["en", "pt-BR"];
            options.SetDefaultCulture(cultures[0]).AddSupportedCultures(cultures).AddSupportedUICultures(cultures);
        });

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
        });

        return services;
    }

    /// <summary>The request pipeline, then every endpoint group.</summary>
    public static WebApplication UseApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // First, so that the exception handler's answers (malformed JSON, wrong types) speak the request's language too.
        app.UseRequestLocalization();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<RequestBodyLimit>();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimits();

        // The document names no server: the generated client is pointed at one by its user.
        app.UseOpenApi(settings => settings.PostProcess = (document, _) => document.Servers.Clear());
        app.UseSwaggerUi();

        app.MapHealthEndpoints();
        app.MapWebhookEndpoints();
        app.MapDeliveryEndpoints();
        app.MapClientEndpoints();
        app.MapDocumentEventEndpoints();
        return app;
    }
}
