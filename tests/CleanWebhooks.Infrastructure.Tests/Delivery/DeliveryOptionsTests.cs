using CleanWebhooks.Infrastructure.Delivery;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CleanWebhooks.Infrastructure.Tests.Delivery;

/// <summary>Delivery settings that cannot work stop the service at start-up, saying why, not at the first claim.</summary>
public sealed class DeliveryOptionsTests
{
    [Theory]
    [InlineData("2101")]
    [InlineData("0")]
    public void AddInfrastructure_BatchSizeOutsideWhatSqlServerAccepts_ThrowsNamingTheSetting(string batchSize)
    {
        var error = Assert.Throws<InvalidOperationException>(() => Register(batchSize));

        Assert.Contains("Delivery:BatchSize", error.Message, StringComparison.Ordinal);
        Assert.Contains("2,100 parameters", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddInfrastructure_LargestBatchSize_IsAccepted()
    {
        var services = Register(DeliveryOptions.MaxBatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.Contains(services, s => s.ServiceType == typeof(DeliveryOptions));
    }

    private static ServiceCollection Register(string batchSize)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Delivery:BatchSize"] = batchSize })
            .Build();
        var services = new ServiceCollection();
        services.AddInfrastructure(configuration);
        return services;
    }
}
