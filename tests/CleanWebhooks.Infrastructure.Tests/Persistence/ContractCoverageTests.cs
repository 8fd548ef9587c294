using System.Reflection;

namespace CleanWebhooks.Infrastructure.Tests.Persistence;

public class ContractCoverageTests
{
    [Theory]
    [InlineData(typeof(RepositoryContract), typeof(SqlServerRepositoryContractTests), 15)]
    [InlineData(typeof(DeliveryQueueContract), typeof(SqlServerDeliveryQueueTests), 10)]
    public void SqlServerContract_EveryContractTest_IsOverriddenAsASqlServerFact(Type contract, Type sqlServer, int atLeast)
    {
        var contractTests = contract.GetMethods()
            .Where(m => m.DeclaringType == contract && m.GetCustomAttribute<FactAttribute>(inherit: false) is not null)
            .Select(m => m.Name)
            .ToList();

        var missing = contractTests
            .Where(name => sqlServer.GetMethod(name) is not { } m
                || m.DeclaringType != sqlServer
                || m.GetCustomAttribute<SqlServerFactAttribute>(inherit: false) is null)
            .ToList();

        Assert.True(contractTests.Count >= atLeast, $"Only {contractTests.Count} contract tests found in {contract.Name}.");
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
