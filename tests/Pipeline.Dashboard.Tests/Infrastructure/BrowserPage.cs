using Microsoft.Playwright;

namespace Pipeline.Dashboard.Tests.Infrastructure;

/// <summary>A Playwright page that keeps every console error and uncaught exception it saw.</summary>
public sealed class BrowserPage : IAsyncDisposable
{
    /// <summary>How long an expectation waits for the page (which refreshes every 3 s) to show something.</summary>
    public const float Wait = 20_000;

    private readonly IBrowserContext _context;
    private readonly List<string> _errors = [];

    public BrowserPage(IBrowserContext context, IPage page)
    {
        _context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (_errors)
                {
                    _errors.Add($"console: {message.Text} ({message.Location})");
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (_errors)
            {
                _errors.Add("page error: " + error);
            }
        };
    }

    public IPage Page { get; }

    public ILocator this[string selector] => Page.Locator(selector);

    /// <summary>Fails with every console error seen, except those containing one of <paramref name="expected"/>.</summary>
    public void AssertNoErrors(params string[] expected)
    {
        lock (_errors)
        {
            var unexpected = _errors.Where(e => !expected.Any(x => e.Contains(x, StringComparison.Ordinal))).ToList();
            Assert.True(unexpected.Count == 0, "the page logged errors:\n" + string.Join('\n', unexpected));
        }
    }

    /// <summary>The whole page as <c>screenshots/NAME.png</c> in the test output directory.</summary>
    public async Task ScreenshotAsync(string name)
    {
        Directory.CreateDirectory(DashboardService.ScreenshotDirectory);
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(DashboardService.ScreenshotDirectory, name + ".png"), FullPage = true });
    }

    public async ValueTask DisposeAsync() => await _context.DisposeAsync();
}
