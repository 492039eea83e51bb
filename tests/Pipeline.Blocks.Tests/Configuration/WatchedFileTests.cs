using Microsoft.Extensions.Time.Testing;
using Pipeline.Blocks.Configuration;

namespace Pipeline.Blocks.Tests.Configuration;

/// <remarks>
/// The poll and the debounce run on a fake clock, so what the tests count happens inside
/// <see cref="FakeTimeProvider.Advance"/>. The real file watcher may signal too, from its own thread, but with
/// a debounce it only re-arms the fake timer, so it cannot add a call the test does not advance to.
/// </remarks>
public sealed class WatchedFileTests : IDisposable
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Debounce = TimeSpan.FromSeconds(5); // well above the burst's 3 polls: a watcher signal landing early cannot end the quiet mid-burst
    private readonly string _directory = Directory.CreateTempSubdirectory("watched-file-").FullName;
    private readonly FakeTimeProvider _time = new();
    private readonly string _path;
    private DateTime _writeTime = new(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private int _calls;

    public WatchedFileTests()
    {
        _path = Path.Combine(_directory, "watched.json");
        Rewrite("{}");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private int Calls => Volatile.Read(ref _calls);

    private WatchedFile Open(string? path = null) =>
        new(path ?? _path, _time, Poll, Debounce, () => Interlocked.Increment(ref _calls));

    /// <summary>Replaces the file whole, with a last-write time it never had before.</summary>
    private void Rewrite(string content, string? path = null)
    {
        _writeTime = _writeTime.AddMinutes(1);
        var aside = Path.Combine(_directory, "next.tmp");
        File.WriteAllText(aside, content);
        File.SetLastWriteTimeUtc(aside, _writeTime);
        File.Move(aside, path ?? _path, overwrite: true);
    }

    /// <summary>A poll tick, then the quiet time (one Advance for both would arm the debounce at its end).</summary>
    private void Settle()
    {
        _time.Advance(Poll);
        _time.Advance(Debounce);
    }

    /// <summary>
    /// The real watcher's notification of a rename can land between the poll's arming of the debounce and its
    /// end, and re-arm it from a later fake time: the call is then one quiet time later, never lost. Advance
    /// quiet times (a few at most) until <paramref name="expected"/> calls, and not one further.
    /// </summary>
    private void UntilCalls(int expected)
    {
        for (var i = 0; i < 3 && Calls < expected; i++)
        {
            _time.Advance(Debounce);
        }
    }

    [Fact]
    public void AnUnchangedFileIsNeverCalledBack()
    {
        using var watched = Open();

        _time.Advance(Poll * 10);

        Assert.Equal(0, Calls);
    }

    [Fact]
    public void ThePollNoticesANewStampAndCallsBackAfterTheDebounce()
    {
        using var watched = Open();

        Rewrite("""{"a":1}""");
        _time.Advance(Poll);
        Assert.Equal(0, Calls);
        _time.Advance(Debounce);
        UntilCalls(1);

        Assert.Equal(1, Calls);
    }

    [Fact]
    public void ABurstOfChangesMakesOneCall()
    {
        using var watched = Open();

        Rewrite("""{"a":1}""");
        _time.Advance(Poll);
        Rewrite("""{"a":2}""");
        _time.Advance(Poll);
        Rewrite("""{"a":3}""");
        _time.Advance(Poll);
        Assert.Equal(0, Calls);
        _time.Advance(Debounce);
        UntilCalls(1);

        Assert.Equal(1, Calls);
    }

    [Fact]
    public void ASameTimeRewriteOfAnotherLengthIsAChange()
    {
        using var watched = Open();

        var aside = Path.Combine(_directory, "next.tmp");
        File.WriteAllText(aside, """{"longer":true}""");
        File.SetLastWriteTimeUtc(aside, _writeTime);
        File.Move(aside, _path, overwrite: true);
        Settle();
        UntilCalls(1);

        Assert.Equal(1, Calls);
    }

    [Fact]
    public void ADeletedFileIsAChangeAndSoIsItsReturn()
    {
        using var watched = Open();

        File.Delete(_path);
        Settle();
        Assert.Equal(1, Calls);
        Rewrite("""{"back":true}""");
        Settle();
        UntilCalls(2);

        Assert.Equal(2, Calls);
    }

    [Fact]
    public void WithoutNotificationsThePollStillNoticesChanges()
    {
        // A directory that does not exist yet: the watcher cannot be set up (as when inotify runs out).
        var later = Path.Combine(_directory, "later");
        var path = Path.Combine(later, "watched.json");
        using var watched = Open(path);
        Assert.False(watched.IsWatching);

        Directory.CreateDirectory(later);
        Rewrite("{}", path);
        Settle();

        Assert.Equal(1, Calls);
    }

    [Fact]
    public async Task AFileSystemNotificationSignalsWithoutThePoll()
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var watched = new WatchedFile(_path, _time, Timeout.InfiniteTimeSpan, Debounce, () => Interlocked.Increment(ref _calls));
        Assert.True(watched.IsWatching);
        watched.ChangeSeen += () => seen.TrySetResult();

        Rewrite("""{"a":1}""");
        await seen.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, Calls);
        _time.Advance(Debounce);
        UntilCalls(1);

        Assert.Equal(1, Calls);
    }

    [Fact]
    public void NoCallAfterDispose()
    {
        var watched = Open();
        Rewrite("""{"a":1}""");
        _time.Advance(Poll);

        watched.Dispose();
        _time.Advance(Debounce);

        Assert.Equal(0, Calls);
    }
}
