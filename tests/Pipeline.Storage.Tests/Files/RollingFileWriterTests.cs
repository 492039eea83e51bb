using Microsoft.Extensions.Time.Testing;
using Pipeline.Storage.Files;
using Pipeline.Storage.Rolling;
using Pipeline.Storage.Tests.Infrastructure;
using Pipeline.Tests.Shared;

namespace Pipeline.Storage.Tests.Files;

public sealed class RollingFileWriterTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2025, 3, 4, 5, 6, 7, 89, TimeSpan.Zero);

    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(Start);

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ConstructorCreatesTheDirectory()
    {
        var directory = _dir.Combine("a", "b", "logs");

        using var writer = new RollingFileWriter(directory, new FilesSinkOptions(), _time);

        Assert.True(Directory.Exists(directory));
        Assert.Null(writer.CurrentPath);
    }

    [Fact]
    public void FirstWriteOpensAFileNamedAfterTheUtcTimeAndASequenceNumber()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 3, 4, 7, 6, 7, 89, TimeSpan.FromHours(2)));
        using var writer = new RollingFileWriter(_dir.Path, new FilesSinkOptions(), time);

        writer.Write("frame"u8);

        Assert.Equal(_dir.Combine("pipeline-20250304T050607.089Z-0000.ndjson.lz4"), writer.CurrentPath);
    }

    [Fact]
    public void BytesAreInTheFileAsSoonAsWriteReturns()
    {
        using var writer = new RollingFileWriter(_dir.Path, new FilesSinkOptions(), _time);

        writer.Write("first"u8);
        writer.Write("second"u8);

        Assert.Equal("firstsecond"u8.ToArray(), ReadShared(writer.CurrentPath!));
    }

    [Fact]
    public void RollsOnlyOnceTheFileHasReachedMaxFileBytes()
    {
        using var writer = new RollingFileWriter(_dir.Path, new FilesSinkOptions { MaxFileBytes = 10 }, _time);

        writer.Write("123456"u8);
        var first = writer.CurrentPath;
        writer.Write("789012"u8); // 6 < 10 bytes so far: same file, which may go past the limit
        Assert.Equal(first, writer.CurrentPath);
        writer.Write("x"u8); // 12 >= 10: roll first
        Assert.NotEqual(first, writer.CurrentPath);

        Assert.Equal("123456789012"u8.ToArray(), ReadShared(first!));
        Assert.Equal("x"u8.ToArray(), ReadShared(writer.CurrentPath!));
    }

    [Fact]
    public void RollsWhenTheFileIsMaxFileAgeOld()
    {
        using var writer = new RollingFileWriter(_dir.Path, new FilesSinkOptions { MaxFileAge = TimeSpan.FromMinutes(5) }, _time);

        writer.Write("a"u8);
        var first = writer.CurrentPath;
        _time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromTicks(1));
        writer.Write("b"u8);
        Assert.Equal(first, writer.CurrentPath);
        _time.Advance(TimeSpan.FromTicks(1));
        writer.Write("c"u8);

        Assert.Equal(_dir.Combine("pipeline-20250304T051107.089Z-0001.ndjson.lz4"), writer.CurrentPath);
        Assert.Equal("ab"u8.ToArray(), ReadShared(first!));
    }

    [Fact]
    public void FilesOpenedInTheSameMillisecondGetIncreasingSequenceNumbers()
    {
        using var writer = new RollingFileWriter(_dir.Path, new FilesSinkOptions { MaxFileBytes = 1 }, _time);

        var opened = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            writer.Write([(byte)('a' + i)]);
            opened.Add(writer.CurrentPath!);
        }

        writer.Close();
        Assert.Equal(12, opened.Distinct().Count());
        Assert.Equal(opened, Lz4Files.List(_dir.Path));
        Assert.EndsWith("-0011.ndjson.lz4", opened[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void OpenTakesTheNextSequenceNumberInsteadOfOverwritingAnExistingFile()
    {
        var existing = _dir.Combine("pipeline-20250304T050607.089Z-0000.ndjson.lz4");
        File.WriteAllText(existing, "keep me");
        using var writer = new RollingFileWriter(_dir.Path, new FilesSinkOptions(), _time);

        writer.Write("new"u8);

        Assert.Equal(_dir.Combine("pipeline-20250304T050607.089Z-0001.ndjson.lz4"), writer.CurrentPath);
        Assert.Equal("keep me", File.ReadAllText(existing));
    }

    [Fact]
    public void CloseEndsTheFileAndTheNextWriteOpensANewOne()
    {
        using var writer = new RollingFileWriter(_dir.Path, new FilesSinkOptions(), _time);
        writer.Write("a"u8);
        var first = writer.CurrentPath;

        writer.Close();
        Assert.Null(writer.CurrentPath);
        writer.Write("b"u8);

        Assert.NotEqual(first, writer.CurrentPath);
        Assert.Equal("a"u8.ToArray(), File.ReadAllBytes(first!));
    }

    [Fact]
    public void OpeningAFileDeletesTheOldestFilesBeyondRetainFiles()
    {
        var oldest = PreExisting("pipeline-20250101T000000.000Z-0000.ndjson.lz4");
        var older = PreExisting("pipeline-20250102T000000.000Z-0000.ndjson.lz4");
        var newer = PreExisting("pipeline-20250103T000000.000Z-0000.ndjson.lz4");
        using var writer = new RollingFileWriter(_dir.Path, new FilesSinkOptions { RetainFiles = 2, RetainAge = TimeSpan.Zero }, _time);

        writer.Write("a"u8);

        Assert.False(File.Exists(oldest));
        Assert.False(File.Exists(older));
        Assert.True(File.Exists(newer));
        Assert.True(File.Exists(writer.CurrentPath));
    }

    [Fact]
    public void ZeroRetainFilesAndZeroRetainAgeKeepEveryFile()
    {
        var ancient = PreExisting("pipeline-20000101T000000.000Z-0000.ndjson.lz4");
        File.SetLastWriteTimeUtc(ancient, new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        using var writer = new RollingFileWriter(_dir.Path, new FilesSinkOptions { MaxFileBytes = 1, RetainFiles = 0, RetainAge = TimeSpan.Zero }, _time);

        for (var i = 0; i < 5; i++)
        {
            writer.Write("x"u8);
        }

        Assert.True(File.Exists(ancient));
        Assert.Equal(6, Lz4Files.List(_dir.Path).Length);
    }

    [Fact]
    public void OpeningAFileDeletesFilesLastWrittenLongerAgoThanRetainAge()
    {
        var expired = PreExisting("pipeline-20250220T000000.000Z-0000.ndjson.lz4");
        File.SetLastWriteTimeUtc(expired, (Start - TimeSpan.FromDays(7) - TimeSpan.FromSeconds(1)).UtcDateTime);
        var kept = PreExisting("pipeline-20250225T000000.000Z-0000.ndjson.lz4");
        File.SetLastWriteTimeUtc(kept, (Start - TimeSpan.FromDays(6)).UtcDateTime);
        using var writer = new RollingFileWriter(_dir.Path, new FilesSinkOptions { RetainFiles = 0, RetainAge = TimeSpan.FromDays(7) }, _time);

        writer.Write("a"u8);

        Assert.False(File.Exists(expired));
        Assert.True(File.Exists(kept));
    }

    [Fact]
    public void WriteThrowsWhenTheDirectoryCannotBeCreatedAndWorksAgainOnceItCan()
    {
        var logs = _dir.Combine("logs");
        using var writer = new RollingFileWriter(logs, new FilesSinkOptions(), _time);
        Directory.Delete(logs);
        File.WriteAllText(logs, "not a directory");

        Assert.ThrowsAny<IOException>(() => writer.Write("a"u8));
        Assert.Null(writer.CurrentPath);

        File.Delete(logs);
        writer.Write("b"u8);
        Assert.Equal("b"u8.ToArray(), ReadShared(writer.CurrentPath!));
    }

    private string PreExisting(string name)
    {
        var path = _dir.Combine(name);
        File.WriteAllText(path, "old");
        return path;
    }

    private static byte[] ReadShared(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var copy = new MemoryStream();
        file.CopyTo(copy);
        return copy.ToArray();
    }
}
