using CleanWebhooks.Infrastructure.Delivery;
using CleanWebhooks.Infrastructure.Telemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace CleanWebhooks.Api.Telemetry;

/// <summary>
/// OpenTelemetry traces and metrics over OTLP, on when the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (with
/// <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>, <c>OTEL_SERVICE_NAME</c> and the other <c>OTEL_*</c> settings as usual).
/// </summary>
public static class TelemetrySetup
{
    public const string EndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string DefaultServiceName = "cleanwebhooks";

    public static IServiceCollection AddTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (string.IsNullOrWhiteSpace(configuration[EndpointSetting]))
        {
            return services;
        }

        var serviceName = configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } configured ? configured : DefaultServiceName;
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName, serviceVersion: typeof(TelemetrySetup).Assembly.GetName().Version?.ToString()))
            .WithTracing(tracing => tracing
                .AddSource(Tracing.SourceName)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddOtlpExporter())
            .WithMetrics(metrics => metrics
                // The delivery meter, and any other meter of ours (the breaker's, the auto-disable's) by its prefix.
                .AddMeter(DeliveryMetrics.MeterName, "CleanWebhooks.*", "Microsoft.AspNetCore.RateLimiting")
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddOtlpExporter());
        return services;
    }
}
