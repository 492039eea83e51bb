using Microsoft.Playwright;
using Pipeline.EndToEnd.Tests.Infrastructure;

namespace Pipeline.Dashboard.Tests.Infrastructure;

/// <summary>
/// The real service (a child process, with <paramref name="settingsJson"/> as the appsettings.json of its
/// working directory) and a headless Debian chromium driven by Playwright. Playwright's own browsers are
/// never downloaded: the executable is <c>/usr/bin/chromium</c>.
/// </summary>
public abstract class DashboardService(string settingsJson) : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";

    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "pipeline-dashboard-tests", Guid.NewGuid().ToString("N"));
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private PipelineProcess? _pipeline;

    public PipelineProcess Pipeline => _pipeline ?? throw new InvalidOperationException("not started");

    public string BaseUrl => $"http://127.0.0.1:{Pipeline.HttpPort}";

    /// <summary>Screenshots go to the test output directory, <c>screenshots/NAME.png</c>.</summary>
    public static string ScreenshotDirectory => Path.Combine(AppContext.BaseDirectory, "screenshots");

    public virtual async Task InitializeAsync()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: apt-get install chromium (./test.sh installs it).");
        Directory.CreateDirectory(_dataDir);
        await File.WriteAllTextAsync(Path.Combine(_dataDir, "appsettings.json"), settingsJson);
        _pipeline = await PipelineProcess.StartAsync(_dataDir);
        _playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true });
    }

    /// <summary>A new page (its own context: no sessionStorage shared between tests) that records console errors.</summary>
    public async Task<BrowserPage> NewPageAsync()
    {
        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
        return new BrowserPage(context, await context.NewPageAsync());
    }

    public virtual async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (_pipeline is not null)
        {
            await _pipeline.DisposeAsync();
        }

        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
