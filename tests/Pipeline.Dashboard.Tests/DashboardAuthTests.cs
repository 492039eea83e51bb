using Pipeline.Dashboard.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Pipeline.Dashboard.Tests;

/// <summary>With ops tokens on, the page asks for the token once, keeps it for the tab and sends it as a Bearer header.</summary>
[Collection("browser")]
public sealed class DashboardAuthTests(OpsTokenDashboardService service) : IClassFixture<OpsTokenDashboardService>
{
    [Fact]
    public async Task PageAsksForTheOpsTokenOnceAndThenShowsTheFleet()
    {
        await using var page = await service.NewPageAsync();
        await page.Page.GotoAsync(service.BaseUrl + "/");
        await Expect(page["#token-form"]).ToBeVisibleAsync(new() { Timeout = BrowserPage.Wait });
        await page.ScreenshotAsync("dashboard-token");

        await page["#token-input"].FillAsync(OpsTokenDashboardService.Token);
        await page["#token-input"].PressAsync("Enter");
        await Expect(page["#fleet-table tr[data-robot='amr-09']"]).ToContainTextAsync("online", new() { Timeout = BrowserPage.Wait });
        await Expect(page["#token-form"]).ToBeHiddenAsync();

        await page.Page.ReloadAsync();
        await Expect(page["#fleet-table tr[data-robot='amr-09']"]).ToContainTextAsync("online", new() { Timeout = BrowserPage.Wait });
        await Expect(page["#token-form"]).ToBeHiddenAsync();
        // The first calls, before the token, are refused: Chromium logs each 401 as a failed resource.
        page.AssertNoErrors("status of 401");
    }
}
