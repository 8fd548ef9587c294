using CleanWebhooks.Application.Clients;
using FluentValidation;
using Microsoft.Extensions.DependencyInjection;

namespace CleanWebhooks.Application;

public static class DependencyInjection
{
    /// <summary>
    /// Registers the application layer's own services. The mediator itself is generated in the host
    /// (its source generator runs in the Api project), which lists this assembly explicitly. The host binds the
    /// settings (<see cref="ApiKeyCacheOptions"/>).
    /// </summary>
    public static IServiceCollection AddApplication(this IServiceCollection services)
    {
        // Messages name fields as clients send them ('url', not 'Url').
        ValidatorOptions.Global.DisplayNameResolver = (_, member, _) =>
            member is null ? null : System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(member.Name);
        services.AddValidatorsFromAssembly(typeof(DependencyInjection).Assembly, ServiceLifetime.Singleton, includeInternalTypes: true);

        // One per process: a revoke on this node must empty the cache that every request reads.
        services.AddSingleton<ApiKeyCache>();
        services.AddSingleton<KnownApiKeys>();
        return services;
    }
}
