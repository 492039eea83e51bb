using Pipeline.Blocks.PatternMine;
using Pipeline.Blocks.PatternMine.Anomalies;

namespace Pipeline.PatternMine.Tests.Anomalies;

public sealed class PatternAnomalyDetectorTests
{
    private static readonly string Steady = AnomalyFixture.Line("r1", "INFO", "motor temperature 45 C");

    [Fact]
    public void TemplatesCreatedDuringTheWarmUpAreNotAnomalies()
    {
        var f = new AnomalyFixture(AnomalyFixture.Options());

        f.Send(AnomalyFixture.Line("r1", "INFO", "battery at 80 percent"));
        f.Send(AnomalyFixture.Line("r1", "INFO", "docking station reached"));
        var anomalies = f.NextWindow();

        Assert.Empty(anomalies);
        Assert.Equal(2, f.Miner.TemplateCount);
        Assert.Equal(0, f.Detector.Emitted(PatternAnomalyKind.NewTemplate));
        Assert.Empty(f.Detector.Recent(10));
    }

    [Fact]
    public void ATemplateCreatedAfterTheWarmUpIsOneNewTemplateAnomalyNamingTheRobot()
    {
        var f = new AnomalyFixture(AnomalyFixture.Options());
        f.Send(Steady);
        f.PassWarmUp();

        f.Send(AnomalyFixture.Line("robot-7", "WARNING", "lidar returned no points for 3 scans"));
        f.Send(AnomalyFixture.Line("robot-8", "WARNING", "lidar returned no points for 5 scans"));
        var anomalies = f.NextWindow();

        var anomaly = Assert.Single(anomalies);
        Assert.Equal(PatternAnomalyKind.NewTemplate, anomaly.Kind);
        Assert.Equal("robot-7", anomaly.RobotId);
        Assert.Equal("lidar returned no points for <*> scans", anomaly.Template);
        Assert.True(f.Miner.TryGetTemplate(anomaly.TemplateId, out var template));
        Assert.Equal(2, template.Count);
        Assert.Contains("robot-7", anomaly.Message);
        Assert.Contains(anomaly.Template!, anomaly.Message);
        Assert.Equal(f.Time.GetUtcNow() - TimeSpan.FromSeconds(10), anomaly.Time);
        Assert.Same(anomaly, Assert.Single(f.Detector.Recent(10)));
        Assert.Equal(1, f.Detector.Emitted(PatternAnomalyKind.NewTemplate));
        Assert.Empty(f.NextWindow());
    }

    [Fact]
    public void ASteadyRateIsNoSpike()
    {
        var f = new AnomalyFixture(AnomalyFixture.Options());

        var anomalies = f.Windows(30, Steady, 50);

        Assert.Empty(anomalies);
        Assert.Equal(1, f.Detector.TrackedTemplates);
    }

    [Fact]
    public void ACountOverTheFactorTimesTheBaselineIsOneSpikeAndTheCooldownSuppressesItsRepeats()
    {
        var f = new AnomalyFixture(AnomalyFixture.Options());
        Assert.Empty(f.Windows(6, Steady, 30));

        f.Send(Steady, 200);
        var anomaly = Assert.Single(f.NextWindow());

        Assert.Equal(PatternAnomalyKind.TemplateRateSpike, anomaly.Kind);
        Assert.Equal(200, anomaly.Value);
        Assert.Equal(30, anomaly.Baseline, precision: 6);
        Assert.Equal("motor temperature <*> C", anomaly.Template);
        Assert.Null(anomaly.RobotId);
        Assert.Contains("200 messages in 10 s", anomaly.Message);

        // Still high in the next window: the same incident, not a second anomaly.
        f.Send(Steady, 200);
        Assert.Empty(f.NextWindow());
        Assert.Equal(1, f.Detector.Suppressed(PatternAnomalyKind.TemplateRateSpike, "cooldown"));
        Assert.Equal(1, f.Detector.Emitted(PatternAnomalyKind.TemplateRateSpike));
    }

    [Fact]
    public void ACountJustOverTheFactorIsASpikeAndJustUnderIsNot()
    {
        var under = new AnomalyFixture(AnomalyFixture.Options());
        under.Windows(6, Steady, 30);
        under.Send(Steady, 90);
        Assert.Empty(under.NextWindow());

        var over = new AnomalyFixture(AnomalyFixture.Options());
        over.Windows(6, Steady, 30);
        over.Send(Steady, 91);
        Assert.Equal(PatternAnomalyKind.TemplateRateSpike, Assert.Single(over.NextWindow()).Kind);
    }

    [Fact]
    public void ASpikeBelowMinEventsIsNoAnomaly()
    {
        var f = new AnomalyFixture(AnomalyFixture.Options());
        Assert.Empty(f.Windows(6, Steady, 1));

        f.Send(Steady, 19); // 19 times the baseline, but fewer than MinEvents (20)
        Assert.Empty(f.NextWindow());

        f.Send(Steady, 20);
        Assert.Single(f.NextWindow());
    }

    [Fact]
    public void NoSpikeBeforeTheBaselineHasEnoughWindows()
    {
        var f = new AnomalyFixture(AnomalyFixture.Options(o => o.BaselineWindows = 5));
        f.Windows(4, Steady, 10); // the first tick only learns the template; three windows of baseline follow

        f.Send(Steady, 500);
        Assert.Empty(f.NextWindow());
    }

    [Fact]
    public void ATemplateKnownBeforeTheFirstWindowStartsFromItsCountNotFromZero()
    {
        // Like a template reloaded from a snapshot: its large count is not this window's traffic, so it must
        // not become the baseline (which would hide the spike below for a long time).
        var f = new AnomalyFixture(AnomalyFixture.Options(o => o.BaselineWindows = 2));
        for (var i = 0; i < 1000; i++)
        {
            f.Miner.AddJsonEscaped("motor temperature 45 C"u8);
        }

        Assert.Empty(f.Windows(3, Steady, 10));

        f.Send(Steady, 40);
        var spike = Assert.Single(f.NextWindow());
        Assert.Equal(10, spike.Baseline, precision: 6);
    }

    [Fact]
    public void ARobotsErrorsOverTheFactorTimesItsBaselineAreOneErrorSpike()
    {
        var f = new AnomalyFixture(AnomalyFixture.Options());
        var info = AnomalyFixture.Line("r1", "INFO", "navigating to waypoint 4");
        var error = AnomalyFixture.Line("r1", "ERROR", "wheel slip detected on axis 2");
        var otherError = AnomalyFixture.Line("r2", "ERROR", "wheel slip detected on axis 1");
        for (var w = 0; w < 6; w++)
        {
            f.Send([.. Enumerable.Repeat(info, 50), error, error, otherError, otherError, otherError]);
            Assert.DoesNotContain(f.NextWindow(), a => a.Kind != PatternAnomalyKind.NewTemplate);
        }

        f.Send([.. Enumerable.Repeat(info, 10), .. Enumerable.Repeat(error, 40), otherError, otherError, otherError]);
        var anomalies = f.NextWindow();

        // The error message's template spiked as well; one robot did, the other stayed steady.
        var spike = Assert.Single(anomalies, a => a.Kind == PatternAnomalyKind.RobotErrorSpike);
        Assert.Equal("r1", spike.RobotId);
        Assert.Equal(40, spike.Value);
        Assert.Equal(2, spike.Baseline, precision: 6);
        Assert.Null(spike.Template);
        Assert.Contains("Robot r1 logged 40 errors in 10 s", spike.Message);
        Assert.Equal(2, f.Detector.TrackedRobots);
    }

    [Fact]
    public void ErrorsBelowMinErrorsAreNoErrorSpike()
    {
        var f = new AnomalyFixture(AnomalyFixture.Options(o => o.MinErrors = 10));
        var error = AnomalyFixture.Line("r1", "CRITICAL", "emergency stop pressed");
        f.Windows(6, error, 1);

        f.Send(error, 9);
        Assert.Empty(f.NextWindow());
        f.Send(error, 10);
        Assert.Equal(PatternAnomalyKind.RobotErrorSpike, Assert.Single(f.NextWindow()).Kind);
    }

    [Fact]
    public void AnomaliesOverThePerWindowCapAreCountedAsSuppressed()
    {
        var f = new AnomalyFixture(AnomalyFixture.Options(o => o.MaxAnomaliesPerWindow = 2));
        f.PassWarmUp();

        f.Send(
            AnomalyFixture.Line("r1", "INFO", "alpha bravo charlie"),
            AnomalyFixture.Line("r1", "INFO", "delta echo foxtrot"),
            AnomalyFixture.Line("r1", "INFO", "golf hotel india"),
            AnomalyFixture.Line("r1", "INFO", "juliet kilo lima"),
            AnomalyFixture.Line("r1", "INFO", "mike november oscar"));
        var anomalies = f.NextWindow();

        Assert.Equal(2, anomalies.Count);
        Assert.All(anomalies, a => Assert.Equal(PatternAnomalyKind.NewTemplate, a.Kind));
        Assert.Equal("alpha bravo charlie", anomalies[0].Template);
        Assert.Equal(3, f.Detector.Suppressed(PatternAnomalyKind.NewTemplate, "cap"));
        Assert.Equal(2, f.Detector.Emitted(PatternAnomalyKind.NewTemplate));
        Assert.Equal(5, f.Detector.TrackedTemplates);
    }

    [Fact]
    public void TheCapServesRobotErrorSpikesBeforeNewTemplates()
    {
        var f = new AnomalyFixture(AnomalyFixture.Options(o => o.MaxAnomaliesPerWindow = 1));
        var error = AnomalyFixture.Line("r1", "ERROR", "gripper fault code 7");
        f.PassWarmUp();
        f.Windows(6, error, 1);

        f.Send([.. Enumerable.Repeat(error, 30), AnomalyFixture.Line("r1", "INFO", "brand new words here")]);
        var anomalies = f.NextWindow();

        Assert.Equal(PatternAnomalyKind.RobotErrorSpike, Assert.Single(anomalies).Kind);
        Assert.Equal(1, f.Detector.Suppressed(PatternAnomalyKind.NewTemplate, "cap"));
    }

    [Fact]
    public void AWindowsAnomaliesComeInTimeOrderAndTheRecentListNewestFirst()
    {
        var f = new AnomalyFixture(AnomalyFixture.Options());
        var error = AnomalyFixture.Line("r1", "ERROR", "gripper fault code 7");
        f.PassWarmUp();
        f.Windows(6, error, 1);

        f.Send(AnomalyFixture.Line("r2", "INFO", "brand new words here"));
        f.Time.Advance(TimeSpan.FromSeconds(3));
        f.Send(AnomalyFixture.Line("r1", "ERROR", "gripper fault code 9"), 30);
        var anomalies = f.NextWindow();

        Assert.Equal(
            [PatternAnomalyKind.NewTemplate, PatternAnomalyKind.RobotErrorSpike, PatternAnomalyKind.TemplateRateSpike],
            anomalies.Select(a => a.Kind));
        Assert.True(anomalies[0].Time < anomalies[1].Time);
        Assert.Equal(anomalies.Reverse(), f.Detector.Recent(3));
    }

    [Fact]
    public void TrackedRobotsAreBoundedAndIdleOnesAreForgotten()
    {
        var f = new AnomalyFixture(AnomalyFixture.Options(o =>
        {
            o.MaxRobots = 2;
            o.RobotIdleTimeout = TimeSpan.FromMinutes(1);
        }));

        f.Send(
            AnomalyFixture.Line("r1", "ERROR", "hello"),
            AnomalyFixture.Line("r2", "ERROR", "hello"),
            AnomalyFixture.Line("r3", "ERROR", "hello"),
            AnomalyFixture.Line("r3", "ERROR", "hello"));
        f.NextWindow();

        Assert.Equal(2, f.Detector.TrackedRobots);
        Assert.Equal(2, f.Detector.UntrackedEvents);

        for (var i = 0; i < 7; i++)
        {
            f.NextWindow();
        }

        Assert.Equal(0, f.Detector.TrackedRobots);
        Assert.Equal(2, f.Detector.ForgottenRobots);

        f.Send(AnomalyFixture.Line("r3", "ERROR", "hello"));
        Assert.Equal(1, f.Detector.TrackedRobots);
    }

    [Fact]
    public void ABatchWithMoreRobotsThanItsTallyHoldsCountsEveryRobotOnce()
    {
        var f = new AnomalyFixture(AnomalyFixture.Options());
        var lines = Enumerable.Range(0, 700).Select(i => AnomalyFixture.Line($"r{i}", "ERROR", "hello")).ToList();
        lines.Add(AnomalyFixture.Line("r0", "ERROR", "hello")); // after the tally was flushed once
        lines.Add(AnomalyFixture.Line("r701", "INFO", "hello")); // only errors are attributed to robots

        f.Send([.. lines]);

        Assert.Equal(700, f.Detector.TrackedRobots);
        Assert.Equal(0, f.Detector.UntrackedEvents);
    }

    [Fact]
    public void TemplatesTheMinerEvictedAreNoLongerTracked()
    {
        var f = new AnomalyFixture(AnomalyFixture.Options(), new PatternMineOptions { MaxTemplates = 4 });
        for (var i = 0; i < 20; i++)
        {
            f.Send(AnomalyFixture.Line("r1", "INFO", $"{Infrastructure.Messages.Word(i)} {Infrastructure.Messages.Word(i + 100)} happened"));
            f.NextWindow();
        }

        Assert.True(f.Miner.EvictedCount > 0);
        Assert.InRange(f.Detector.TrackedTemplates, 1, 4);
    }

    [Fact]
    public void TheRecentListIsBoundedAndNewestFirst()
    {
        var f = new AnomalyFixture(AnomalyFixture.Options(o => o.RecentCapacity = 3));
        f.PassWarmUp();
        for (var i = 0; i < 5; i++)
        {
            f.Send(AnomalyFixture.Line("r1", "INFO", $"{Infrastructure.Messages.Word(i)} {Infrastructure.Messages.Word(i + 100)} happened"));
            f.NextWindow();
        }

        var recent = f.Detector.Recent(10);

        Assert.Equal(3, recent.Count);
        Assert.StartsWith(Infrastructure.Messages.Word(4), recent[0].Template);
        Assert.StartsWith(Infrastructure.Messages.Word(2), recent[2].Template);
        Assert.Single(f.Detector.Recent(1));
    }

    [Fact]
    public void AnEarlyTickOnlyHandsOutNewTemplatesAndJudgesNoPartialWindow()
    {
        var f = new AnomalyFixture(AnomalyFixture.Options());
        f.Windows(6, Steady, 30);

        f.Send(Steady, 200);
        f.Time.Advance(TimeSpan.FromSeconds(1)); // a shutdown flush, one second into the window
        Assert.Empty(f.Detector.Tick());

        f.Time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(PatternAnomalyKind.TemplateRateSpike, Assert.Single(f.Detector.Tick()).Kind);
    }

    [Fact]
    public void RatesPerSecondAreTheLatestWindowsCount()
    {
        var f = new AnomalyFixture(AnomalyFixture.Options(o => o.WarmUp = TimeSpan.Zero));
        f.Send(Steady, 25);
        f.NextWindow();

        var templates = f.Miner.GetTemplates();
        var rates = f.Detector.RatesPerSecond(templates);

        Assert.Equal(2.5, Assert.Single(rates));
    }
}
