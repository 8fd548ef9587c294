using System.Reflection;
using CleanWebhooks.Application.Webhooks.CreateWebhook;
using CleanWebhooks.Domain.Webhooks;
using CleanWebhooks.Infrastructure.Persistence;

namespace CleanWebhooks.Api.Tests.Architecture;

/// <summary>Dependencies point inwards only: Domain ← Application ← Infrastructure/Api.</summary>
public class LayerDependencyTests
{
    private static readonly Assembly Domain = typeof(Webhook).Assembly;
    private static readonly Assembly Application = typeof(CreateWebhookCommand).Assembly;
    private static readonly Assembly Infrastructure = typeof(Database).Assembly;
    private static readonly Assembly Api = typeof(Program).Assembly;

    [Fact]
    public void Domain_References_NoOuterLayerAndNoFramework()
    {
        var found = Dependencies.Forbidden(Domain,
            "CleanWebhooks.Application", "CleanWebhooks.Infrastructure", "CleanWebhooks.Api", "Mediator", "Dapper", "FluentValidation");

        Assert.True(found.Count == 0, "Domain depends on " + string.Join(", ", found));
    }

    [Fact]
    public void Application_References_NeitherInfrastructureNorApi()
    {
        var found = Dependencies.Forbidden(Application, "CleanWebhooks.Infrastructure", "CleanWebhooks.Api");

        Assert.True(found.Count == 0, "Application depends on " + string.Join(", ", found));
    }

    [Fact]
    public void Infrastructure_References_NotTheApi()
    {
        Assert.Empty(Dependencies.Forbidden(Infrastructure, "CleanWebhooks.Api"));
    }

    [Fact]
    public void Forbidden_OnAnAssemblyThatHasTheDependency_ReportsIt()
    {
        // The checker above can fail: the API does reference Infrastructure (directly) and Domain (through it).
        Assert.Equal(["CleanWebhooks.Infrastructure"], Dependencies.Forbidden(Api, "CleanWebhooks.Infrastructure"));
        Assert.Equal(["CleanWebhooks.Domain"], Dependencies.Forbidden(Infrastructure, "CleanWebhooks.Domain"));
        Assert.Equal(["Mediator"], Dependencies.Forbidden(Application, "Mediator"));
        Assert.Contains("FluentValidation", Dependencies.Forbidden(Application, "FluentValidation"));
    }

    [Fact]
    public void Layers_ReferenceTheirInnerLayers()
    {
        Assert.Contains("CleanWebhooks.Domain", Dependencies.Of(Application));
        Assert.Contains("CleanWebhooks.Application", Dependencies.Of(Infrastructure));
        Assert.Contains("CleanWebhooks.Application", Dependencies.Of(Api));
    }
}

/// <summary>What an assembly references, following our own assemblies transitively.</summary>
internal static class Dependencies
{
    private const string Ours = "CleanWebhooks.";

    /// <summary>The names of every assembly reachable from <paramref name="assembly"/> through references.</summary>
    public static HashSet<string> Of(Assembly assembly)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<Assembly>([assembly]);
        while (pending.TryPop(out var current))
        {
            foreach (var reference in current.GetReferencedAssemblies())
            {
                // Only our own assemblies are followed: what a framework references is not our layering.
                if (seen.Add(reference.Name!) && reference.Name!.StartsWith(Ours, StringComparison.Ordinal))
                {
                    pending.Push(Assembly.Load(reference));
                }
            }
        }

        return seen;
    }

    /// <summary>The forbidden assemblies (a name, or its <c>Name.*</c> family) that <paramref name="assembly"/> reaches.</summary>
    public static List<string> Forbidden(Assembly assembly, params string[] forbidden) =>
        [.. Of(assembly)
            .Where(name => forbidden.Any(f => name == f || name.StartsWith(f + ".", StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal)];
}
