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

    [Theory]
    [InlineData("https://proxy.example:3128")]
    [InlineData("http://user:password@proxy.example:3128")]
    [InlineData("http://proxy.example:3128/path")]
    [InlineData("socks5://proxy.example:1080")]
    public void AddInfrastructure_ProxyThatIsNotHttpHostPort_ThrowsNamingTheSettingAndNoCredentials(string proxy)
    {
        var error = Assert.Throws<InvalidOperationException>(() => Register(new Dictionary<string, string?> { ["Delivery:Proxy"] = proxy }));

        Assert.Contains("Delivery:Proxy", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("password", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddInfrastructure_ClientCertificateThatCannotBeRead_ThrowsNamingTheSettingNotThePassword()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "not a certificate");

            var error = Assert.Throws<InvalidOperationException>(() => Register(new Dictionary<string, string?>
            {
                ["Delivery:ClientCertificate:Path"] = path,
                ["Delivery:ClientCertificate:Password"] = "hunter2-secret",
            }));

            Assert.Contains("Delivery:ClientCertificate:Path", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("hunter2-secret", error.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static ServiceCollection Register(string batchSize) => Register(new Dictionary<string, string?> { ["Delivery:BatchSize"] = batchSize });

    private static ServiceCollection Register(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings)
            .Build();
        var services = new ServiceCollection();
        services.AddInfrastructure(configuration);
        return services;
    }
}
