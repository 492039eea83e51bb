using Microsoft.Extensions.Time.Testing;
using Pipeline.Alerts.Tests.Infrastructure;
using Pipeline.Blocks.Alerts;
using Pipeline.Tests.Shared;

namespace Pipeline.Alerts.Tests;

public sealed class SilenceStoreTests
{
    private static readonly Dictionary<string, string> Labels = new() { ["alertname"] = "errors", ["robot_id"] = "r-7", ["site"] = "hall-2" };

    [Fact]
    public void MatchersCoverEqualAndAnchoredRegexValues()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var store = new SilenceStore(null, time);
        store.Add(new Silence { Matchers = [new SilenceMatcher { Name = "site", Value = "hall-2" }, new SilenceMatcher { Name = "robot_id", Value = "r-[0-9]", IsRegex = true }], Until = time.GetUtcNow().AddHours(1) });
        Assert.True(store.IsSilenced(Labels, time.GetUtcNow()));
        Assert.False(store.IsSilenced(new Dictionary<string, string>(Labels) { ["robot_id"] = "r-77" }, time.GetUtcNow())); // anchored
        Assert.False(store.IsSilenced(new Dictionary<string, string>(Labels) { ["site"] = "hall-3" }, time.GetUtcNow()));
        Assert.False(store.IsSilenced(Labels, time.GetUtcNow().AddHours(2)));
    }

    [Fact]
    public void SilencesArePersistedDeletedAndExpired()
    {
        using var directory = new TempDirectory();
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var store = new SilenceStore(directory.Path, time);
        var kept = store.Add(new Silence { Matchers = [new SilenceMatcher { Name = "robot_id", Value = "r-7" }], Until = time.GetUtcNow().AddHours(2), CreatedBy = "ana", Comment = "motor swap" });
        var deleted = store.Add(new Silence { Matchers = [new SilenceMatcher { Name = "robot_id", Value = "r-8" }], Until = time.GetUtcNow().AddHours(2) });
        var expiring = store.Add(new Silence { Matchers = [new SilenceMatcher { Name = "robot_id", Value = "r-9" }], Until = time.GetUtcNow().AddMinutes(5) });
        Assert.True(store.Delete(deleted.Id));
        Assert.False(store.Delete("nope"));

        var reopened = new SilenceStore(directory.Path, time);
        Assert.Equal([kept.Id, expiring.Id], reopened.List().Select(s => s.Id));
        Assert.Equal("motor swap", reopened.List()[0].Comment);
        Assert.True(reopened.IsSilenced(Labels, time.GetUtcNow()));

        time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(1, reopened.RemoveExpired());
        Assert.Equal([kept.Id], new SilenceStore(directory.Path, time).List().Select(s => s.Id));
        var next = reopened.Add(new Silence { Matchers = [new SilenceMatcher { Name = "a", Value = "b" }], Until = time.GetUtcNow().AddHours(1) });
        Assert.DoesNotContain(next.Id, new[] { kept.Id, deleted.Id, expiring.Id });
    }

    [Fact]
    public void ASilenceWithoutMatchersOrWithABadRegexIsRefused()
    {
        var store = new SilenceStore(null, TimeProvider.System);
        Assert.Throws<ArgumentException>(() => store.Add(new Silence { Matchers = [], Until = DateTimeOffset.MaxValue }));
        Assert.Throws<ArgumentException>(() => store.Add(new Silence { Matchers = [new SilenceMatcher { Name = "a", Value = "(", IsRegex = true }], Until = DateTimeOffset.MaxValue }));
    }
}
