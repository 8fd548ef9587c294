using CleanWebhooks.Application.Common.Settings;
using CleanWebhooks.Application.Common.Abstractions;
using CleanWebhooks.Application.Webhooks;
using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Webhooks;
using CleanWebhooks.Application.Deliveries;
using CleanWebhooks.Application.Deliveries.AttemptDelivery;
using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Infrastructure.Delivery;
using CleanWebhooks.Infrastructure.Persistence;
using CleanWebhooks.Infrastructure.Persistence.Deliveries;
using CleanWebhooks.Infrastructure.Persistence.Clients;
using CleanWebhooks.Infrastructure.Persistence.Migrations;
using CleanWebhooks.Infrastructure.Persistence.Portal;
using CleanWebhooks.Infrastructure.Persistence.Retention;
using CleanWebhooks.Infrastructure.Retention;
using CleanWebhooks.Application.Retention;
using CleanWebhooks.Infrastructure.Persistence.Webhooks;
using CleanWebhooks.Infrastructure.Security;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CleanWebhooks.Infrastructure;

public static class DependencyInjection
{
    /// <summary>Registers persistence (per configured database), secret encryption and the clock.</summary>
    public static IServiceCollection AddInfrastructure(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        var databaseOptions = configuration.GetSection(DatabaseOptions.SectionName).Get<DatabaseOptions>() ?? new DatabaseOptions();
        databaseOptions.ConnectionString = configuration.GetConnectionString(DatabaseOptions.ConnectionStringName)
            ?? DatabaseOptions.DefaultSqliteConnectionString;
        services.AddSingleton(databaseOptions.Checked());
        services.AddSingleton<Database>();
        services.AddSingleton<Migrator>();
        services.AddSingleton<IStorageFaultClassifier, StorageFaultClassifier>();
        services.AddHostedService<DatabaseInitializer>();

        services.AddSingleton(TimeProvider.System);

        var keyDirectory = configuration["Secrets:KeyDirectory"] is { Length: > 0 } configured ? configured : Path.Combine("data", "keys");
        services.AddDataProtection()
            .SetApplicationName("CleanWebhooks")
            .PersistKeysToFileSystem(new DirectoryInfo(keyDirectory));
        services.AddSingleton<ISecretProtector, DataProtectionSecretProtector>();
        services.AddSingleton<IPortalSessionTokens, DataProtectionPortalSessionTokens>();
        services.AddSingleton<ISigningPublicKeys, Ed25519Keys>();
        services.AddSingleton<IPortalSessionStore, PortalSessionStore>();

        services.AddSingleton<IClientRepository, ClientRepository>();
        services.AddSingleton<WebhookRepository>();
        services.AddSingleton<IWebhookRepository>(sp => sp.GetRequiredService<WebhookRepository>());
        services.AddSingleton<IWebhookSource>(sp => sp.GetRequiredService<WebhookRepository>());
        services.AddSingleton<IWebhookQueries, WebhookQueries>();
        services.AddSingleton<IEventOutbox, IntakeWriter>();
        services.AddSingleton<IDeliveryRepository, DeliveryRepository>();
        services.AddSingleton<IDeliveryQueries, DeliveryQueries>();

        AddDelivery(services, configuration);
        AddRetention(services, configuration);

        // One instance: it keeps the last probe's result for a moment.
        services.AddSingleton<DatabaseHealthCheck>();
        services.AddHealthChecks().Add(new Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckRegistration(
            "database", sp => sp.GetRequiredService<DatabaseHealthCheck>(), failureStatus: null, tags: ["ready"]));
        return services;
    }

    private static void AddRetention(IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetCheckedSection<RetentionOptions>(RetentionOptions.SectionName);
        services.AddSingleton(options);
        services.AddSingleton<IRetentionStore, RetentionStore>();
        if (options.Enabled)
        {
            services.AddHostedService<RetentionService>();
        }
    }

    private static void AddDelivery(IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetCheckedSection<DeliveryOptions>(DeliveryOptions.SectionName);
        services.AddSingleton(options);
        services.AddSingleton(options.Policy());
        services.AddSingleton<SendWindows>();
        services.AddSingleton<DispatchSignal>();
        services.AddSingleton<IDeliveryNotifier>(sp => sp.GetRequiredService<DispatchSignal>());
        services.AddSingleton<IDeliveryQueue, DeliveryQueue>();
        services.AddSingleton<DeliveryMetrics>();
        services.AddSingleton<TokenProvider>();
        services.AddSingleton<WebhookSender>();
        services.AddSingleton<IDeliverySender>(sp => sp.GetRequiredService<WebhookSender>());
        services.AddSingleton(sp => new AttemptDeliveryHandler(sp.GetRequiredService<IDeliverySender>(), options.Schedule(), sp.GetRequiredService<TimeProvider>()));

        var alerts = configuration.GetCheckedSection<AlertOptions>(AlertOptions.SectionName);
        services.AddSingleton(alerts);
        services.AddSingleton<PlatformAlerts>();
        services.AddHostedService(sp => sp.GetRequiredService<PlatformAlerts>());
        services.AddSingleton<IWebhookHealthEvents, WebhookHealthEvents>();

        // Alerts go to the platform's own internal URL, so they do not pass the delivery client's address guard.
        services.AddHttpClient(PlatformAlerts.ClientName, client => client.Timeout = Timeout.InfiniteTimeSpan).RemoveAllLoggers();

        // Deliveries and token calls share one client: no redirects, no cookies, and the address guard as its connect step
        // (with Delivery:Proxy, the guard judges each destination before the request goes to the proxy).
        var guard = new OutboundAddressGuard(options.AllowPrivateNetworks, options.Proxy);
        var clientCertificate = options.ClientCertificate.Load();
        var outbound = services.AddHttpClient(DeliveryHttp.ClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseCookies = false,

                // Only the configured proxy: one from the environment would make the guard vet the proxy's address, not the receiver's.
                UseProxy = options.Proxy is not null,
                Proxy = options.Proxy is { } proxy ? new System.Net.WebProxy(proxy) : null,

                // Presented to any https receiver or token endpoint that asks for a certificate, whatever CAs it names.
                SslOptions = new System.Net.Security.SslClientAuthenticationOptions
                {
                    LocalCertificateSelectionCallback = clientCertificate is null ? null : (_, _, _, _, _) => clientCertificate,
                },
                AutomaticDecompression = System.Net.DecompressionMethods.None,
                ConnectTimeout = options.Timeout,
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
                // Webhooks sharing a host:port share this pool: it must never hold them below their send windows,
                // so it is as large as the process's own bound on attempts in flight.
                MaxConnectionsPerServer = Math.Max(options.MaxConcurrency, 2),
                ConnectCallback = guard.ConnectAsync,

                // Our trace context is ours: no traceparent/tracestate/baggage header goes to integrators' servers. Null,
                // not a no-output propagator: OpenTelemetry's HttpClient instrumentation injects its own headers into any
                // call the runtime traces. These calls get no client span of their own; the attempt and token spans are theirs.
                ActivityHeadersPropagator = null,
            })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .RemoveAllLoggers();
        if (options.Proxy is not null)
        {
            outbound.AddHttpMessageHandler(() => new ProxiedDestinationCheck(guard));
        }

        if (options.DispatcherEnabled)
        {
            services.AddSingleton<Dispatcher>();
            services.AddHostedService(sp => sp.GetRequiredService<Dispatcher>());
            services.AddSingleton<IDeliveryHandOff>(sp => sp.GetRequiredService<Dispatcher>());
        }
        else
        {
            services.AddSingleton<IDeliveryHandOff, NoHandOff>();
        }
    }
}
