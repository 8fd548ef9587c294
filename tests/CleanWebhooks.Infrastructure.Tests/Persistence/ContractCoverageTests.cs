using System.Reflection;

namespace CleanWebhooks.Infrastructure.Tests.Persistence;

public class ContractCoverageTests
{
    [Fact]
    public void SqlServerContract_EveryContractTest_IsOverriddenAsASqlServerFact()
    {
        var contractTests = typeof(RepositoryContract).GetMethods()
            .Where(m => m.DeclaringType == typeof(RepositoryContract) && m.GetCustomAttribute<FactAttribute>(inherit: false) is not null)
            .Select(m => m.Name)
            .ToList();

        var missing = contractTests
            .Where(name => typeof(SqlServerRepositoryContractTests).GetMethod(name) is not { } m
                || m.DeclaringType != typeof(SqlServerRepositoryContractTests)
                || m.GetCustomAttribute<SqlServerFactAttribute>(inherit: false) is null)
            .ToList();

        Assert.True(contractTests.Count >= 15, $"Only {contractTests.Count} contract tests found.");
        Assert.True(missing.Count == 0, "Not run on SQL Server: " + string.Join(", ", missing));
    }

    [Fact]
    public void SqlServerFact_WithoutTheVariable_IsSkippedNamingIt()
    {
        var attribute = new SqlServerFactAttribute();

        if (SqlServerFactAttribute.ConnectionString is null)
        {
            Assert.Contains(SqlServerFactAttribute.Variable, attribute.Skip, StringComparison.Ordinal);
        }
        else
        {
            Assert.Null(attribute.Skip);
        }
    }
}
