using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Blocks.Enrich;
using Pipeline.Blocks.Metrics;

namespace Pipeline.Blocks.Tests.Enrich;

/// <remarks>
/// The source also has a file watcher, which may reload concurrently with the test. Files are
/// therefore replaced whole (written aside, then renamed over, as careful tools do) so the watcher
/// never sees half a file, and the tests call <see cref="FileFleetRegistrySource.Reload"/> themselves
/// and only assert what holds whoever reloaded first.
/// </remarks>
public sealed class FileFleetRegistrySourceTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("fleet-source-").FullName;
    private readonly FakeTimeProvider _time = new();
    private readonly PipelineMetrics _metrics = new();
    private readonly string _path;
    private DateTime _writeTime = new(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public FileFleetRegistrySourceTests()
    {
        _path = Path.Combine(_directory, "fleet.csv");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private double ReloadErrors => _metrics.ComponentErrors.WithLabels("enrich", "registry_reload").Value;

    /// <summary>Replaces the file and gives it a last-write time it never had before.</summary>
    private void Rewrite(string content)
    {
        _writeTime = _writeTime.AddMinutes(1);
        Replace(content, _writeTime);
    }

    private void Replace(string content, DateTime writeTime)
    {
        var aside = Path.Combine(_directory, "next.tmp");
        File.WriteAllText(aside, content);
        File.SetLastWriteTimeUtc(aside, writeTime);
        File.Move(aside, _path, overwrite: true);
    }

    private FileFleetRegistrySource Open() =>
        new(_path, TimeSpan.FromSeconds(5), _time, _metrics, NullLogger.Instance);

    [Fact]
    public void LoadsTheFileAtStart()
    {
        Rewrite("robot_id,name,site,model\nr1,Arm,site-a,ur5\n");

        using var source = Open();

        Assert.Equal("Arm", source.Current.Find("r1")?.Name);
        Assert.Equal(0, ReloadErrors);
    }

    [Fact]
    public void StartWithMissingFileThrows()
    {
        Assert.Throws<FileNotFoundException>(Open);
    }

    [Fact]
    public void StartWithInvalidFileThrowsFormatException()
    {
        Rewrite("name,site\nx,y\n");

        Assert.Throws<FormatException>(Open);
    }

    [Fact]
    public void ReloadPicksUpTheRewrittenFile()
    {
        Rewrite("robot_id,name\nr1,Old\n");
        using var source = Open();

        Rewrite("robot_id,name\nr1,New\nr2,Added\n");
        source.Reload();

        Assert.Equal("New", source.Current.Find("r1")?.Name);
        Assert.Equal("Added", source.Current.Find("r2")?.Name);
        Assert.Equal(0, ReloadErrors);
    }

    [Fact]
    public void ReloadPicksUpAFileRewrittenInPlace()
    {
        // An editor saving in place: the watcher may see it half-written (and count an error), but
        // once the write is done and the timestamp moved, the whole file is what is loaded.
        Rewrite("robot_id,name\nr1,Old\n");
        using var source = Open();

        File.WriteAllText(_path, "robot_id,name\nr1,New\nr2,Added\n");
        File.SetLastWriteTimeUtc(_path, _writeTime.AddMinutes(1));
        source.Reload();

        Assert.Equal("New", source.Current.Find("r1")?.Name);
        Assert.Equal("Added", source.Current.Find("r2")?.Name);
    }

    [Fact]
    public void ReloadSwitchesFormatWhenTheFileBecomesJson()
    {
        Rewrite("robot_id,name\nr1,Csv\n");
        using var source = Open();

        Rewrite("""[{"robot_id":"r1","name":"Json"}]""");
        source.Reload();

        Assert.Equal("Json", source.Current.Find("r1")?.Name);
    }

    [Fact]
    public void ReloadOfUnchangedFileKeepsTheSameSnapshot()
    {
        Rewrite("robot_id,name\nr1,Arm\n");
        using var source = Open();
        var before = source.Current;

        source.Reload();

        Assert.Same(before, source.Current);
    }

    [Fact]
    public void ReloadKeepsTheOldSnapshotWhenTheNewFileIsInvalidAndCountsAnError()
    {
        Rewrite("robot_id,name\nr1,Arm\n");
        using var source = Open();
        var before = source.Current;

        Rewrite("name,site\nno,robot_id column\n");
        source.Reload();

        Assert.Same(before, source.Current);
        Assert.Equal("Arm", source.Current.Find("r1")?.Name);
        Assert.True(ReloadErrors >= 1, $"registry_reload errors: {ReloadErrors}");
    }

    [Fact]
    public void ReloadKeepsTheOldSnapshotWhenTheNewJsonIsMalformed()
    {
        Rewrite("robot_id,name\nr1,Arm\n");
        using var source = Open();
        var before = source.Current;

        Rewrite("[{\"robot_id\":\"r1\",");
        source.Reload();

        Assert.Same(before, source.Current);
        Assert.True(ReloadErrors >= 1, $"registry_reload errors: {ReloadErrors}");
    }

    [Fact]
    public void ReloadKeepsTheOldSnapshotWhenTheFileIsDeleted()
    {
        Rewrite("robot_id,name\nr1,Arm\n");
        using var source = Open();
        var before = source.Current;

        File.Delete(_path);
        source.Reload();

        Assert.Same(before, source.Current);
        Assert.True(ReloadErrors >= 1, $"registry_reload errors: {ReloadErrors}");
    }

    [Fact]
    public void ReloadRecoversOnceTheFileIsFixed()
    {
        Rewrite("robot_id,name\nr1,Arm\n");
        using var source = Open();
        Rewrite("broken");
        source.Reload();

        Rewrite("robot_id,name\nr1,Fixed\n");
        source.Reload();

        Assert.Equal("Fixed", source.Current.Find("r1")?.Name);
    }

    [Fact]
    public void ReloadPicksUpNewContentWithAnUnchangedTimestamp()
    {
        // What happens when the watcher fires while an editor is still writing: the first part of
        // the file is loaded, and the rest lands within the same file-system timestamp tick
        // (Linux mtimes are coarse, a few ms). Keyed on the timestamp alone, the rest is never read.
        Rewrite("robot_id,name\nr1,Arm\n");
        using var source = Open();
        var tick = _writeTime.AddMinutes(1);
        Replace("robot_id,name\nr1,Arm\n", tick);
        source.Reload();

        Replace("robot_id,name\nr1,Arm\nr2,Rover\n", tick);
        source.Reload();

        Assert.Equal("Rover", source.Current.Find("r2")?.Name);
    }
}
