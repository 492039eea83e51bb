using Microsoft.Extensions.Time.Testing;
using Pipeline.Alerts.Tests.Infrastructure;
using Pipeline.Blocks.Alerts;
using static Pipeline.Alerts.Tests.Infrastructure.AlertHarness;
using Pipeline.Tests.Shared;

namespace Pipeline.Alerts.Tests;

public sealed class AlertLifecycleTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    private static AlertRuleOptions Errors() => new()
    {
        Name = "errors", Kind = "threshold", Window = TimeSpan.FromSeconds(10), Threshold = 2, GroupBy = ["robot_id"], Channels = ["ops"], Match = new() { MinLevel = "ERROR" },
    };

    [Fact]
    public async Task TheTimerEvaluatesEveryIntervalOnTheClock()
    {
        using var h = new AlertHarness(With(Errors()));
        var firing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Notifier.Notified += _ => firing.TrySetResult();
        await h.Block.StartAsync(CancellationToken.None);
        h.Send(Event("r-1"), Event("r-1"));
        Assert.False(firing.Task.IsCompleted);

        h.Time.Advance(Second);
        await firing.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await h.Block.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task AnEventThatCrossesTheThresholdIsEvaluatedAtOnceNotAtTheNextTick()
    {
        using var h = new AlertHarness(With(Errors()));
        var firing = new TaskCompletionSource<AlertNotice>(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Notifier.Notified += n => firing.TrySetResult(n);
        await h.Block.StartAsync(CancellationToken.None);
        var start = h.Time.GetUtcNow();

        // The clock never moves: only the early evaluation the crossing event asks for can fire it.
        await h.PostAsync(Event("r-1"), Event("r-1"));
        var notice = await firing.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(AlertNoticeKind.Firing, notice.Kind);
        Assert.Equal(start, h.Time.GetUtcNow());
        await h.Block.StopAsync(CancellationToken.None);
    }

    [Fact]
    public void APendingAlertThatClearsIsWrittenWithinTenSecondsWhileAFiringOneIsWrittenAtItsTick()
    {
        using var directory = new TempDirectory();
        var pending = Errors();
        pending.Window = TimeSpan.FromSeconds(3);
        pending.For = TimeSpan.FromMinutes(5);
        var atOnce = Errors();
        atOnce.Name = "at-once";
        atOnce.Window = TimeSpan.FromMinutes(1);
        string[] Saved() => [.. Persisted(directory.Path).Select(e => e.Rule).Order()];
        using var h = new AlertHarness(With(pending, atOnce), directory: directory.Path);
        h.Send(Event("r-1"), Event("r-1"));
        h.Advance(Second);
        Assert.Equal(["at-once", "errors"], Saved()); // fired: written at its tick (with the pending one)

        // "errors" leaves pending when its 3 s window empties: that may wait for the next write...
        h.Run(TimeSpan.FromSeconds(5), Second);
        Assert.Null(h.Alert("errors"));
        Assert.Equal(["at-once", "errors"], Saved());

        // ...which comes within 10 s, and then nothing is written while nothing changes.
        h.Run(TimeSpan.FromSeconds(6), Second);
        Assert.Equal(["at-once"], Saved());
        (DateTime, long) Files() => (File.GetLastWriteTimeUtc(Path.Combine(directory.Path, "state.json")),
            new FileInfo(Path.Combine(directory.Path, "state.journal")) is { Exists: true } journal ? journal.Length : -1);
        var written = Files();
        h.Run(TimeSpan.FromSeconds(12), Second);
        Assert.Equal(written, Files());
        Assert.Equal(AlertState.Firing, h.Alert("at-once")!.State);
    }

    [Theory]
    [InlineData(0, 1, false)] // below the threshold
    [InlineData(0, 2, true)] // over, and fires at once
    [InlineData(30, 2, false)] // over, but For 30 s: the next tick starts it pending soon enough
    public void OnlyAnEventThatPutsAGroupOverARuleThatFiresAtOnceAsksForAnEarlyEvaluation(int forSeconds, int events, bool wakes)
    {
        var rule = Errors();
        rule.For = TimeSpan.FromSeconds(forSeconds);
        using var h = new AlertHarness(With(rule));
        h.Send([.. Enumerable.Repeat(Event("r-1"), events)]);
        Assert.Equal(wakes, h.Block.Engine.TakeWake());
        Assert.False(h.Block.Engine.TakeWake()); // taken
    }

    [Fact]
    public void AnEarlyEvaluationMovesOnlyTheGroupsThatWokeAndTheNextTickMovesTheRest()
    {
        using var h = new AlertHarness(With(Errors()));
        h.Send(Event("r-1"), Event("r-1"));
        h.Advance(Second);
        Assert.Equal(AlertState.Firing, h.Alert("errors", "robot_id=r-1")!.State);

        // r-1's window empties (a full tick would resolve it); then r-2 goes over and wakes an early evaluation.
        h.Time.Advance(TimeSpan.FromSeconds(10));
        h.Send(Event("r-2"), Event("r-2"));
        Assert.True(h.Block.Engine.TakeWake());
        h.Block.Engine.EvaluateWoken();
        Assert.Equal(AlertState.Firing, h.Alert("errors", "robot_id=r-2")!.State);
        Assert.Equal(AlertState.Firing, h.Alert("errors", "robot_id=r-1")!.State);
        Assert.Empty(h.Notifier.Of(AlertNoticeKind.Resolved));

        h.Advance(Second);
        Assert.Null(h.Alert("errors", "robot_id=r-1"));
        Assert.Single(h.Notifier.Of(AlertNoticeKind.Resolved));
        Assert.Equal(1, h.Counter("pipeline_alert_evaluations_total", "kind=\"early\""));
        Assert.Equal(2, h.Counter("pipeline_alert_evaluations_total", "kind=\"tick\""));
    }

    [Fact]
    public void EarlyEvaluationsWriteTheStateFileAtMostOncePerIntervalAndTheTickWritesWhatWaited()
    {
        using var directory = new TempDirectory();
        int Saved() => Persisted(directory.Path).Count;
        using var h = new AlertHarness(With(Errors()), directory: directory.Path);
        h.Send(Event("r-1"), Event("r-1"));
        h.Block.Engine.EvaluateWoken();
        Assert.Equal(1, Saved());

        h.Send(Event("r-2"), Event("r-2"));
        h.Block.Engine.EvaluateWoken();
        Assert.Equal(2, h.Notifier.Of(AlertNoticeKind.Firing).Count);
        Assert.Equal(1, Saved()); // written less than an interval ago

        h.Advance(Second);
        Assert.Equal(2, Saved());
    }

    [Fact]
    public void AKeyEvictedAndSeenAgainStartsAfreshAndTheKeyThatTookItsRowSlotKeepsItsOwnCounts()
    {
        // Groups of a feed share rows with the other feeds' groups of the key; an evicted group's counters must
        // neither come back with its key nor leak into the key that took its place.
        var options = With(Errors(), new AlertRuleOptions
        {
            Name = "warnings", Kind = "threshold", Match = new() { Levels = ["WARNING"] }, Window = TimeSpan.FromMinutes(1), Threshold = 3,
            GroupBy = ["robot_id"], Channels = ["ops"],
        });
        options.MaxGroupsPerRule = 1;
        using var h = new AlertHarness(options);
        // r-1's errors group keeps its row alive while its warnings group is evicted: the row's segment is reused.
        h.Send(Event("r-1", level: "ERROR"), Event("r-1", level: "WARNING"), Event("r-1", level: "WARNING"));
        h.Send(Event("r-2", level: "WARNING"));                          // evicts r-1's warnings group
        h.Send(Event("r-1", level: "WARNING"), Event("r-2", level: "WARNING"));
        h.Advance(Second);
        Assert.Empty(h.Notifier.Of(AlertNoticeKind.Firing));             // r-1 counts 1 again, r-2 was evicted by it

        h.Send(Event("r-1", level: "WARNING"), Event("r-1", level: "WARNING"));
        h.Advance(Second);
        var fired = Assert.Single(h.Notifier.Of(AlertNoticeKind.Firing));
        Assert.Equal(("warnings", "robot_id=r-1", 3L), (fired.Source, fired.GroupKey, fired.Count));
        Assert.Equal(2, h.Block.Rules().Single(r => r.Name == "warnings").GroupsEvicted);
    }

    [Fact]
    public void AGroupEvictedAfterItWokeIsNotEvaluatedEarly()
    {
        var options = With(Errors());
        options.MaxGroupsPerRule = 1;
        using var h = new AlertHarness(options);
        // r-1 woke, then r-2 took its place (in a later batch: within one, events are matched newest first).
        h.Send(Event("r-1"), Event("r-1"));
        h.Send(Event("r-2"), Event("r-2"));
        h.Block.Engine.EvaluateWoken();
        var fired = Assert.Single(h.Notifier.Of(AlertNoticeKind.Firing));
        Assert.Equal("robot_id=r-2", fired.GroupKey);
    }

    [Fact]
    public void TheStateIsNeverLeftHalfWrittenAndKeepsAnOfflineAlertOfflineAcrossARestart()
    {
        using var directory = new TempDirectory();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero));
        using (var before = new AlertHarness(With(Errors()), directory: directory.Path, time: time))
        {
            before.Send(Event("r-1"), Event("r-1"));
            before.Advance(Second);
            before.Connection.MarkClosed();
            before.Advance(Second);
            Assert.Equal(AlertState.Offline, before.Alert("errors")!.State);
        }

        Assert.DoesNotContain(Directory.GetFiles(directory.Path), f => f.EndsWith(".tmp", StringComparison.Ordinal)); // moved over the old one, or appended
        using var after = new AlertHarness(With(Errors()), directory: directory.Path, time: time);
        after.Run(TimeSpan.FromMinutes(1), Second);
        Assert.Equal(AlertState.Offline, after.Alert("errors")!.State);
        Assert.Empty(after.Notifier.Notices);

        // The robot speaks again, an INFO the rule does not even match: it is back, below the threshold, so resolved the normal way (it was notified before the restart).
        after.Send(Event("r-1", level: "INFO"));
        after.Advance(Second);
        Assert.Null(after.Alert("errors"));
        Assert.Single(after.Notifier.Of(AlertNoticeKind.Resolved));
    }

    [Fact]
    public void AReloadKeepsTheAlertsOfARuleThatDidNotChangeWithoutNotifyingThemAgain()
    {
        using var directory = new TempDirectory();
        var path = Path.Combine(directory.Path, "alerts.json");
        const string Rules = """{"Rules":[{"Name":"errors","Kind":"threshold","Window":"00:00:10","Threshold":2,"GroupBy":["robot_id"],"Channels":["ops"]}]}""";
        File.WriteAllText(path, Rules);
        using var h = new AlertHarness(new AlertsOptions { RulesPath = path });
        h.Send(Event("r-1"), Event("r-1"));
        h.Advance(Second);
        Assert.Single(h.Notifier.Of(AlertNoticeKind.Firing));

        File.WriteAllText(path, Rules.Replace("\"Channels\":[\"ops\"]", "\"Channels\":[\"ops\"],\"Severity\":\"critical\"", StringComparison.Ordinal));
        Assert.True(h.Block.RulesFile!.Reload());
        h.Send(Event("r-1"), Event("r-1"));
        h.Advance(Second);
        Assert.Single(h.Notifier.Of(AlertNoticeKind.Firing));
        Assert.Equal("critical", h.Alert("errors")!.Severity);
    }
}
