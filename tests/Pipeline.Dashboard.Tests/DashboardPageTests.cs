using System.Net;
using System.Text;
using Microsoft.Playwright;
using Pipeline.Dashboard.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Pipeline.Dashboard.Tests;

/// <summary>
/// The dashboard in headless chromium against the real service and simulated robots. Every test fails on
/// any console error or uncaught exception of the page, and leaves a screenshot in the test output.
/// </summary>
[Collection("browser")]
public sealed class DashboardPageTests(AlertingDashboardService service) : IClassFixture<AlertingDashboardService>
{
    private static readonly LocatorAssertionsToContainTextOptions Text = new() { Timeout = BrowserPage.Wait };
    private static readonly LocatorAssertionsToBeVisibleOptions Visible = new() { Timeout = BrowserPage.Wait };

    [Fact]
    public async Task FleetTableShowsEveryRobotWithItsStateAndLastKnownStatus()
    {
        await using var page = await service.NewPageAsync();
        await page.Page.GotoAsync(service.BaseUrl + "/");

        await Expect(page["#fleet-table tr[data-robot='amr-01']"]).ToContainTextAsync("online", Text);
        await Expect(page["#fleet-table tr[data-robot='amr-01']"]).ToContainTextAsync("battery=81", Text);
        await Expect(page["#fleet-table tr[data-robot='amr-02']"]).ToContainTextAsync("websocket", Text);
        await Expect(page[$"#fleet-table tr[data-robot='{AlertingDashboardService.TcpRobot}']"]).ToContainTextAsync("tcp", Text);
        // Two samples of /metrics make a line: the charts draw from the page's own sampling.
        await Expect(page["#chart-events polyline[points*=' ']"]).ToHaveCountAsync(1, new() { Timeout = BrowserPage.Wait });
        for (var i = 0; i < 30; i++)
        {
            await service.Amr1.SendEventAsync("INFO", $"lidar scan {i} ok");
        }

        // The next sample sees the 30 events: the throughput chart's maximum rises above its floor of 1/s.
        await Expect(page["#chart-events"]).Not.ToContainTextAsync("max 1.0", Text);

        await page.ScreenshotAsync("dashboard-fleet");
        page.AssertNoErrors();
    }

    [Fact]
    public async Task FleetFilterKeepsOnlyTheMatchingRobots()
    {
        await using var page = await service.NewPageAsync();
        await page.Page.GotoAsync(service.BaseUrl + "/");
        await Expect(page["#fleet-table tr[data-robot='amr-01']"]).ToBeVisibleAsync(Visible);

        await page["#fleet-q"].FillAsync("arm");
        await page["#fleet-q"].PressAsync("Enter");

        await Expect(page["#fleet-table tbody tr"]).ToHaveCountAsync(1, new() { Timeout = BrowserPage.Wait });
        await Expect(page["#fleet-table tbody tr"]).ToContainTextAsync(AlertingDashboardService.TcpRobot, Text);
        page.AssertNoErrors();
    }

    [Fact]
    public async Task RobotPageSendsACommandAndShowsTheRobotsAnswer()
    {
        await using var page = await service.NewPageAsync();
        await page.Page.GotoAsync(service.BaseUrl + "/#/robot/amr-01");
        await Expect(page["#robot-status"]).ToContainTextAsync("\"battery\": 81", Text);
        await Expect(page["#robot-config"]).ToContainTextAsync("hall-2", Text);
        await Expect(page["#robot-logs"]).ToContainTextAsync("arm calibrated", Text);
        await Expect(page["#robot-events-table"]).ToContainTextAsync("battery at 18 percent", Text);

        await page["#command-name"].FillAsync("calibrate");
        await page["#command-params"].FillAsync("""{"arm":2}""");
        await page["#command-send"].ClickAsync();

        await Expect(page["#command-answer"]).ToContainTextAsync("\"outcome\": \"answered\"", Text);
        await Expect(page["#command-answer"]).ToContainTextAsync("\"pong\": {", Text);
        await Expect(page["#command-answer"]).ToContainTextAsync("\"arm\": 2", Text);
        await page.ScreenshotAsync("dashboard-robot");
        page.AssertNoErrors();
    }

    [Fact]
    public async Task RobotPageOfATcpRobotSaysItsStateWasNotReportedWithoutFailedCalls()
    {
        await using var page = await service.NewPageAsync();
        await page.Page.GotoAsync(service.BaseUrl + "/#/robot/" + AlertingDashboardService.TcpRobot);

        await Expect(page["#robot-summary"]).ToContainTextAsync("tcp", Text);
        await Expect(page["#robot-status"]).ToContainTextAsync("not reported yet", Text);
        await Expect(page["#robot-events-table"]).ToContainTextAsync("gripper cycle 2 done", Text);
        page.AssertNoErrors();
    }

    [Fact]
    public async Task AlertAppearsOnTheAlertsPageWhenItsRuleFires()
    {
        using var http = new HttpClient { BaseAddress = new Uri(service.BaseUrl) };
        using var silence = await http.PostAsync("/api/silences", new StringContent(
            """{"matchers":[{"name":"robot_id","value":"arm-07"}],"duration":"02:00:00","comment":"in the workshop"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, silence.StatusCode);
        await using var page = await service.NewPageAsync();
        await page.Page.GotoAsync(service.BaseUrl + "/#/alerts");
        await Expect(page["#silences-table"]).ToContainTextAsync("robot_id=arm-07", Text);

        await service.Amr2.SendEventAsync("ERROR", "lidar blocked for 30 s");

        var row = page[$"#alerts-table tr[data-rule='{AlertingDashboardService.Rule}']"];
        await Expect(row).ToContainTextAsync("firing", Text);
        await Expect(row).ToContainTextAsync("robot_id=amr-02", Text);
        await page.ScreenshotAsync("dashboard-alerts");
        page.AssertNoErrors();
    }

    [Fact]
    public async Task PatternsPageShowsTheMostFrequentTemplates()
    {
        await using var page = await service.NewPageAsync();
        await page.Page.GotoAsync(service.BaseUrl + "/#/patterns");

        await Expect(page["#patterns-table"]).ToContainTextAsync("motor temperature", Text);
        await Expect(page["#patterns-table"]).ToContainTextAsync("reached waypoint", Text);
        await Expect(page["#anomalies"]).ToBeVisibleAsync(Visible);
        await page.ScreenshotAsync("dashboard-patterns");
        page.AssertNoErrors();
    }

    [SkippableFact]
    public async Task TailPaneShowsOnlyTheEventsMatchingItsFilter()
    {
        await SkipWithoutTailApiAsync();
        await using var page = await service.NewPageAsync();
        await page.Page.GotoAsync(service.BaseUrl + "/#/tail");
        await page["#tail-robot"].FillAsync("amr-01");
        await page["#tail-grep"].FillAsync("wheel");
        await page["#tail-start"].ClickAsync();
        await Expect(page["#tail-state"]).ToContainTextAsync("tailing", Text);

        await service.Amr2.SendEventAsync("INFO", "wheel odometry reset");
        await service.Amr1.SendEventAsync("INFO", "arm parked");
        await service.Amr1.SendEventAsync("WARNING", "wheel slip on ramp");

        await Expect(page["#tail-lines"]).ToContainTextAsync("wheel slip on ramp", Text);
        await Expect(page["#tail-lines div"]).ToHaveCountAsync(1, new() { Timeout = BrowserPage.Wait });
        await page.ScreenshotAsync("dashboard-tail");
        page.AssertNoErrors();
    }

    [Fact]
    public async Task TailPaneReadsTheServerSentEventsAndShowsWhatWasDropped()
    {
        // The page's reading of the stream (the contract of GET /api/tail: "event: event" lines of the files'
        // JSON, "event: dropped" with the count), checked on a fixed body; the test above runs it against the service.
        await using var page = await service.NewPageAsync();
        string? asked = null;
        await page.Page.RouteAsync("**/api/tail?*", route =>
        {
            asked = route.Request.Url;
            return route.FulfillAsync(new RouteFulfillOptions
            {
                Status = 200,
                ContentType = "text/event-stream",
                Body = "event: event\ndata: {\"ts\":\"2026-12-04T10:00:00.000Z\",\"robot_id\":\"amr-01\",\"level\":\"WARNING\",\"msg\":\"wheel slip\"}\n\n" +
                    ": a comment line is ignored\n\n" +
                    "event: dropped\ndata: {\"dropped\":7}\n\n" +
                    "event: event\ndata: {\"ts\":\"2026-12-04T10:00:01.000Z\",\"robot_id\":\"amr-01\",\"level\":\"ERROR\",\"msg\":\"wheel stuck\"}\n\n",
            });
        });
        await page.Page.GotoAsync(service.BaseUrl + "/#/tail");
        await page["#tail-robot"].FillAsync("amr-01");
        await page["#tail-level"].SelectOptionAsync("WARNING");
        await page["#tail-grep"].FillAsync("wheel");
        await page["#tail-start"].ClickAsync();

        await Expect(page["#tail-lines div"]).ToHaveCountAsync(2, new() { Timeout = BrowserPage.Wait });
        await Expect(page["#tail-lines div"].First).ToContainTextAsync("wheel stuck", Text);
        await Expect(page["#tail-state"]).ToContainTextAsync("7 dropped", Text);
        Assert.Contains("robot=amr-01", asked);
        Assert.Contains("level=WARNING", asked);
        Assert.Contains("grep=wheel", asked);
        page.AssertNoErrors();
    }

    [Fact]
    public async Task TailPaneShowsTheServersRefusalPastTheSubscriberLimit()
    {
        await using var page = await service.NewPageAsync();
        await page.Page.RouteAsync("**/api/tail?*", route => route.FulfillAsync(new RouteFulfillOptions
        {
            Status = 429,
            ContentType = "application/json",
            Body = "{\"error\":\"20 tail subscribers already: Pipeline:Tail:MaxSubscribers\"}",
        }));
        await page.Page.GotoAsync(service.BaseUrl + "/#/tail");
        await page["#tail-start"].ClickAsync();

        await Expect(page["#tail-state"]).ToContainTextAsync("tail refused (HTTP 429): 20 tail subscribers already", Text);
        page.AssertNoErrors("status of 429");
    }

    /// <summary>The tail API comes from another branch: until it is merged, /api/tail is 404 and this test is skipped.</summary>
    private async Task SkipWithoutTailApiAsync()
    {
        using var http = new HttpClient { BaseAddress = new Uri(service.BaseUrl) };
        using var response = await http.GetAsync("/api/tail", HttpCompletionOption.ResponseHeadersRead);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            throw new SkipException("GET /api/tail answers 404: the live tail API is not in this build yet.");
        }
    }
}
