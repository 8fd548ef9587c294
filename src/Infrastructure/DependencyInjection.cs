using CleanWebhooks.Application.Common.Abstractions;
using CleanWebhooks.Application.Webhooks;
using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Webhooks;
using CleanWebhooks.Infrastructure.Persistence;
using CleanWebhooks.Infrastructure.Persistence.Clients;
using CleanWebhooks.Infrastructure.Persistence.Migrations;
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
        services.AddSingleton(databaseOptions);
        services.AddSingleton<Database>();
        services.AddSingleton<Migrator>();
        services.AddHostedService<DatabaseInitializer>();

        services.AddSingleton(TimeProvider.System);

        var keyDirectory = configuration["Secrets:KeyDirectory"] is { Length: > 0 } configured ? configured : Path.Combine("data", "keys");
        services.AddDataProtection()
            .SetApplicationName("CleanWebhooks")
            .PersistKeysToFileSystem(new DirectoryInfo(keyDirectory));
        services.AddSingleton<ISecretProtector, DataProtectionSecretProtector>();

        services.AddSingleton<IClientRepository, ClientRepository>();
        services.AddSingleton<IWebhookRepository, WebhookRepository>();
        services.AddSingleton<IWebhookQueries, WebhookQueries>();

        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);
        return services;
    }
}
