using Microsoft.Playwright;

namespace CleanWebhooks.Portal.Tests;

/// <summary>
/// One test class's world: the real service on Kestrel at 127.0.0.1 (a browser cannot reach a TestServer), a real
/// receiver, and one Chromium. Failed attempts wait an hour before the next, so a failed delivery holds still until a
/// test retries it.
/// </summary>
public class PortalService : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    public PortalService()
    {
        Factory.Settings["Delivery:RetrySchedule:0"] = "01:00:00";
        Factory.Settings["Delivery:RetrySchedule:1"] = "01:00:00";
        Factory.Settings["Delivery:PollInterval"] = "00:00:00.050";
        Factory.Settings["Delivery:Timeout"] = "00:00:05";
    }

    public ApiFactory Factory { get; } = new();

    public LoopbackReceiver Receiver { get; private set; } = null!;

    public Uri ServiceUrl { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    private IPlaywright Playwright { get; set; } = null!;

    public async Task InitializeAsync()
    {
        Receiver = await LoopbackReceiver.StartAsync();
        Factory.UseKestrel(0);
        Factory.StartServer();
        using (var http = Factory.CreateClient())
        {
            ServiceUrl = http.BaseAddress ?? throw new InvalidOperationException("The server has no address.");
        }

        // Generous: the machine running the suite is shared.
        Assertions.SetDefaultExpectTimeout(20_000);
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new() { ExecutablePath = ChromiumPath });
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        Playwright.Dispose();
        await Factory.DisposeAsync();
        await Receiver.DisposeAsync();
    }

    /// <summary>The phone the portal is checked on: 390 × 844, touch, a mobile browser's user agent.</summary>
    public const string Phone = "iPhone 13";

    /// <summary>
    /// Runs <paramref name="test"/> in a fresh browser context (its own cookies) speaking <paramref name="locale"/>, on a
    /// desktop window or, with <paramref name="phone"/>, as <see cref="Phone"/>; on failure the page is saved as
    /// <c>screenshots/{name}.png</c> in the test output folder.
    /// </summary>
    public async Task InPageAsync(string name, Func<IPage, Task> test, string locale = "en-US", bool phone = false)
    {
        ArgumentNullException.ThrowIfNull(test);
        var options = phone ? new BrowserNewContextOptions(Playwright.Devices[Phone]) : new BrowserNewContextOptions();
        options.Locale = locale;
        options.BaseURL = ServiceUrl.ToString();
        await using var context = await Browser.NewContextAsync(options);
        context.SetDefaultTimeout(20_000);
        var page = await context.NewPageAsync();
        try
        {
            await test(page);
        }
        catch
        {
            var folder = Path.Combine(AppContext.BaseDirectory, "screenshots");
            Directory.CreateDirectory(folder);
            await page.ScreenshotAsync(new() { Path = Path.Combine(folder, name + ".png"), FullPage = true });
            throw;
        }
    }
}
