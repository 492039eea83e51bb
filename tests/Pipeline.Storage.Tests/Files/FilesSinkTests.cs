using System.Text.Json;
using System.Threading.Tasks.Dataflow;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Graph;
using Pipeline.Blocks.Metrics;
using Pipeline.Storage.Files;
using Pipeline.Storage.Tests.Infrastructure;
using Pipeline.Tests.Shared;

namespace Pipeline.Storage.Tests.Files;

public sealed class FilesSinkTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2025, 6, 15, 16, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _dir = new();
    private readonly TestBatches _batches = new();
    private readonly PipelineMetrics _metrics = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task EveryEventSentThroughInputIsInTheFilesAfterCompletion()
    {
        var sink = NewSink(_dir.Path, new FilesSinkOptions(), BlockOptions.Of(4, 2), new FakeTimeProvider(Start));

        for (var b = 0; b < 10; b++)
        {
            Assert.True(await sink.Input.SendAsync(_batches.Events(b * 100, 100)));
        }

        sink.Input.Complete();
        await sink.Completion;

        var decoded = Lz4Files.DecodeAll(_dir.Path);
        Assert.Equal(Enumerable.Range(0, 1000), decoded.Select(Seq));
        var first = JsonDocument.Parse(decoded[0]).RootElement;
        Assert.Equal("event 0", first.GetProperty("msg").GetString());
        Assert.Equal("r0", first.GetProperty("robot_id").GetString());
        Assert.Equal("tcp", first.GetProperty("protocol").GetString());

        var viaLz4Cat = new List<string>();
        var wcTotal = 0;
        foreach (var file in Lz4Files.List(_dir.Path))
        {
            viaLz4Cat.AddRange(await Lz4Files.Lz4CatAsync(file));
            wcTotal += await Lz4Files.Lz4CatWcAsync(file);
        }

        Assert.Equal(1000, wcTotal);
        Assert.Equal(decoded, viaLz4Cat);
    }

    [Fact]
    public async Task FilesAreNamedPipelineNdjsonLz4AndTheirNamesSortByTime()
    {
        // Each write reads the clock once; 400 ms per write against a 300 ms MaxFileAge rolls every
        // batch, and the files cross midnight at the end of the year.
        var time = new HookedTimeProvider(new DateTimeOffset(2025, 12, 31, 23, 59, 59, 500, TimeSpan.Zero));
        time.BeforeUtcNow = _ => time.Fake.Advance(TimeSpan.FromMilliseconds(400));
        var sink = NewSink(_dir.Path, new FilesSinkOptions { MaxFileAge = TimeSpan.FromMilliseconds(300) }, BlockOptions.Of(8, 1), time);

        for (var b = 0; b < 4; b++)
        {
            await sink.Input.SendAsync(_batches.Events(b * 10, 10));
        }

        sink.Input.Complete();
        await sink.Completion;

        var files = Lz4Files.List(_dir.Path);
        Assert.Equal(
            [
                "pipeline-20251231T235959.900Z-0000.ndjson.lz4",
                "pipeline-20260101T000000.300Z-0001.ndjson.lz4",
                "pipeline-20260101T000000.700Z-0002.ndjson.lz4",
                "pipeline-20260101T000001.100Z-0003.ndjson.lz4",
            ],
            files.Select(Path.GetFileName));
        for (var i = 0; i < files.Length; i++)
        {
            Assert.Equal(Enumerable.Range(i * 10, 10), Lz4Files.Decode(files[i]).Select(Seq));
        }
    }

    [Fact]
    public async Task FileIsReadableByLz4catWhileTheSinkIsStillRunning()
    {
        using var gate = new StepGate();
        var time = new HookedTimeProvider(Start);
        time.BeforeUtcNow = call =>
        {
            if (call == 4)
            {
                gate.Enter(); // the writer stops before the 4th batch; three are in the file
            }
        };
        var sink = NewSink(_dir.Path, new FilesSinkOptions(), BlockOptions.Of(8, 2), time);

        for (var b = 0; b < 5; b++)
        {
            await sink.Input.SendAsync(_batches.Events(b * 50, 50));
        }

        await gate.WaitEnteredAsync();
        var path = sink.CurrentPath;
        Assert.NotNull(path);
        Assert.Equal(150, await Lz4Files.Lz4CatWcAsync(path));
        Assert.Equal(Enumerable.Range(0, 150), (await Lz4Files.Lz4CatAsync(path)).Select(Seq));
        Assert.False(sink.Completion.IsCompleted);

        gate.Open();
        sink.Input.Complete();
        await sink.Completion;
        Assert.Equal(250, await Lz4Files.Lz4CatWcAsync(path));
    }

    [Fact]
    public async Task WrittenCounterNeverRunsAheadOfTheBytesInTheFile()
    {
        using var gate = new StepGate();
        var time = new HookedTimeProvider(Start);
        time.BeforeUtcNow = _ => gate.Enter(); // once per write, before it
        var sink = NewSink(_dir.Path, new FilesSinkOptions(), BlockOptions.Of(8, 2), time);
        var written = _metrics.SinkWritten.WithLabels("files");

        const int batches = 5, size = 40;
        for (var b = 0; b < batches; b++)
        {
            await sink.Input.SendAsync(_batches.Events(b * size, size));
        }

        sink.Input.Complete();
        for (var b = 0; b < batches; b++)
        {
            await gate.WaitEnteredAsync();
            var inFiles = Directory.Exists(_dir.Path) ? Lz4Files.DecodeAll(_dir.Path).Count : 0;
            Assert.Equal(b * size, inFiles);
            Assert.Equal(inFiles, written.Value);
            gate.Proceed();
        }

        await sink.Completion;

        var lines = Lz4Files.DecodeAll(_dir.Path).Count;
        Assert.Equal(batches * size, lines);
        Assert.Equal(lines, await MetricsText.ValueAsync(_metrics, "pipeline_sink_written_events_total", ("sink", "files")));
        Assert.Equal(lines, await MetricsText.ValueAsync(_metrics, "pipeline_component_events_total", ("component", "files"), ("direction", "out")));
        var bytes = Lz4Files.List(_dir.Path).Sum(f => new FileInfo(f).Length);
        Assert.Equal(bytes, await MetricsText.ValueAsync(_metrics, "pipeline_sink_written_bytes_total", ("sink", "files")));
    }

    [Fact]
    public async Task EventsOfABatchWhoseWriteFailedAreCountedAsDiscardedWriteFailedAndNotAsWritten()
    {
        var logs = _dir.Combine("logs");
        var sink = NewSink(logs, new FilesSinkOptions { WriteRetries = 0 }, BlockOptions.Of(8, 1), new FakeTimeProvider(Start));
        BreakDirectory(logs);

        await sink.Input.SendAsync(_batches.Events(0, 30));
        await sink.Input.SendAsync(_batches.Events(30, 20));
        sink.Input.Complete();
        await sink.Completion;

        Assert.True(sink.Completion.IsCompletedSuccessfully);
        Assert.Equal(SinkHealth.Failed, sink.Health);
        Assert.Equal(50, await MetricsText.ValueAsync(_metrics, "pipeline_component_discarded_events_total", ("component", "files"), ("reason", "write_failed")));
        Assert.Equal(2, await MetricsText.ValueAsync(_metrics, "pipeline_component_errors_total", ("component", "files"), ("stage", "write")));
        Assert.Equal(0, _metrics.SinkWritten.WithLabels("files").Value);
        Assert.Equal(0, _metrics.ComponentEvents.WithLabels("files", "out").Value);
        // Every batch came back (the second Rent may reuse the first batch once it was encoded and released).
        Assert.Equal(_batches.Pool.Created, _batches.Pool.Retained);
    }

    [Fact]
    public async Task WriteFailureIsRetriedWithBackoffThenDiscardedWithoutFaultingTheSink()
    {
        var logs = _dir.Combine("logs");
        var time = new HookedTimeProvider(Start);
        var sink = NewSink(logs, new FilesSinkOptions { WriteRetries = 2, FsyncInterval = TimeSpan.Zero }, BlockOptions.Of(8, 1), time); // no fsync timer among the retry timers
        BreakDirectory(logs);

        await sink.Input.SendAsync(_batches.Events(0, 25));
        sink.Input.Complete();

        Assert.Equal(TimeSpan.FromMilliseconds(100), await time.NextTimerAsync());
        Assert.Equal(SinkHealth.Failed, sink.Health);
        time.Fake.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(TimeSpan.FromMilliseconds(200), await time.NextTimerAsync());

        // Still retrying: nothing discarded yet, and the sink holds its input back instead of finishing.
        Assert.Equal(0, _metrics.ComponentDiscarded.WithLabels("files", "write_failed").Value);
        Assert.False(sink.Completion.IsCompleted);

        time.Fake.Advance(TimeSpan.FromMilliseconds(200));
        await sink.Completion;

        Assert.True(sink.Completion.IsCompletedSuccessfully);
        Assert.Equal(SinkHealth.Failed, sink.Health);
        Assert.Equal(25, _metrics.ComponentDiscarded.WithLabels("files", "write_failed").Value);
        Assert.Equal(3, _metrics.ComponentErrors.WithLabels("files", "write").Value);
        Assert.Equal(0, _metrics.SinkWritten.WithLabels("files").Value);
        Assert.Equal(1, _batches.Pool.Retained);
    }

    [Fact]
    public async Task FailedWriteIsWrittenWhenTheDirectoryComesBackBeforeTheLastRetry()
    {
        var logs = _dir.Combine("logs");
        var time = new HookedTimeProvider(Start);
        var sink = NewSink(logs, new FilesSinkOptions { WriteRetries = 5, FsyncInterval = TimeSpan.Zero }, BlockOptions.Of(8, 1), time);
        BreakDirectory(logs);

        await sink.Input.SendAsync(_batches.Events(0, 25));
        sink.Input.Complete();
        await time.NextTimerAsync();
        Assert.Equal(SinkHealth.Failed, sink.Health);

        File.Delete(logs);
        time.Fake.Advance(TimeSpan.FromMilliseconds(100));
        await sink.Completion;

        Assert.Equal(SinkHealth.Healthy, sink.Health);
        Assert.Equal(Enumerable.Range(0, 25), Lz4Files.DecodeAll(logs).Select(Seq));
        Assert.Equal(25, _metrics.SinkWritten.WithLabels("files").Value);
        Assert.Equal(0, _metrics.ComponentDiscarded.WithLabels("files", "write_failed").Value);
        Assert.Equal(1, _metrics.ComponentErrors.WithLabels("files", "write").Value);
    }

    [Fact]
    public async Task EveryBatchIsReturnedToThePool()
    {
        var sink = NewSink(_dir.Path, new FilesSinkOptions(), BlockOptions.Of(4, 3), new FakeTimeProvider(Start));
        var rented = new List<EventBatch>();
        for (var b = 0; b < 20; b++)
        {
            rented.Add(_batches.Events(b * 10, 10));
        }

        rented.Add(_batches.Parsed("not json", "{\"broken\":", "")); // no events at all
        Assert.Equal(21, _batches.Pool.Created);
        Assert.Equal(0, _batches.Pool.Retained);

        foreach (var batch in rented)
        {
            await sink.Input.SendAsync(batch);
        }

        sink.Input.Complete();
        await sink.Completion;

        Assert.Equal(21, _batches.Pool.Retained);
        Assert.Equal(200, Lz4Files.DecodeAll(_dir.Path).Count);
    }

    [Fact]
    public async Task BatchWithoutEventsCreatesNoFileAndCountsNothingWritten()
    {
        var sink = NewSink(_dir.Path, new FilesSinkOptions(), BlockOptions.Of(4, 1), new FakeTimeProvider(Start));

        var empty = _batches.Parsed("[1,2,3]", "{oops");
        Assert.Equal(0, empty.Count);
        await sink.Input.SendAsync(empty);
        sink.Input.Complete();
        await sink.Completion;

        Assert.Empty(Lz4Files.List(_dir.Path));
        Assert.Equal(0, _metrics.SinkWritten.WithLabels("files").Value);
        Assert.Equal(1, _batches.Pool.Retained);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 4)]
    [InlineData(2, 2)]
    [InlineData(8, 3)]
    [InlineData(8, 4)]
    public async Task ParallelEncodersKeepTheOrderOfBatches(int capacity, int parallelism)
    {
        var sink = NewSink(_dir.Path, new FilesSinkOptions(), BlockOptions.Of(capacity, parallelism), new FakeTimeProvider(Start));

        // Big and small batches alternate, so a later small batch finishes encoding before an earlier big one.
        var seq = 0;
        for (var b = 0; b < 60; b++)
        {
            var size = b % 4 == 0 ? 500 : 3;
            await sink.Input.SendAsync(_batches.Events(seq, size));
            seq += size;
        }

        sink.Input.Complete();
        await sink.Completion;

        Assert.Equal(Enumerable.Range(0, seq), Lz4Files.DecodeAll(_dir.Path).Select(Seq));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public async Task SendAsyncWaitsWhenTheWriterIsStalledAndTheBlocksAreFull(int capacity)
    {
        using var gate = new StepGate();
        var time = new HookedTimeProvider(Start);
        time.BeforeUtcNow = _ => gate.Enter();
        var sink = NewSink(_dir.Path, new FilesSinkOptions(), BlockOptions.Of(capacity, 2), time);

        // The encode block and the write block each hold `capacity` batches (the write block counts the
        // one stalled in the writer), so 2 × capacity sends complete and the next one waits.
        var seq = 0;
        for (var i = 0; i < 2 * capacity; i++)
        {
            Assert.True(await sink.Input.SendAsync(_batches.Events(seq, 5)).WaitAsync(StepGate.Timeout));
            seq += 5;
        }

        await gate.WaitEnteredAsync();
        var waiting = sink.Input.SendAsync(_batches.Events(seq, 5));
        seq += 5;
        Assert.False(waiting.IsCompleted);

        gate.Open();
        Assert.True(await waiting.WaitAsync(StepGate.Timeout));
        sink.Input.Complete();
        await sink.Completion;
        Assert.Equal(Enumerable.Range(0, seq), Lz4Files.DecodeAll(_dir.Path).Select(Seq));
    }

    [Fact]
    public async Task RollsToANewFileWhenTheFileReachesMaxFileBytes()
    {
        var options = new FilesSinkOptions { MaxFileBytes = 4096 };
        var sink = NewSink(_dir.Path, options, BlockOptions.Of(8, 2), new FakeTimeProvider(Start));

        for (var b = 0; b < 30; b++)
        {
            await sink.Input.SendAsync(_batches.Events(b * 40, 40));
        }

        sink.Input.Complete();
        await sink.Completion;

        var files = Lz4Files.List(_dir.Path);
        Assert.True(files.Length >= 3, $"expected several files, got {files.Length}");
        var all = new List<int>();
        for (var i = 0; i < files.Length; i++)
        {
            if (i < files.Length - 1)
            {
                Assert.True(new FileInfo(files[i]).Length >= options.MaxFileBytes, $"{files[i]} was rolled before it was full");
            }

            var lines = (await Lz4Files.Lz4CatAsync(files[i])).Select(Seq).ToList();
            Assert.Equal(0, lines[0] % 40); // files hold whole batches
            all.AddRange(lines);
        }

        Assert.Equal(Enumerable.Range(0, 1200), all);
    }

    [Fact]
    public async Task RollsToANewFileWhenTheFileIsOlderThanMaxFileAge()
    {
        var time = new HookedTimeProvider(Start);
        time.BeforeUtcNow = write =>
        {
            var step = write switch
            {
                3 => TimeSpan.FromMinutes(10), // the first file is exactly MaxFileAge old: roll
                4 => TimeSpan.FromMinutes(9),  // the second is 9 minutes old: keep
                5 => TimeSpan.FromMinutes(1),  // now it is 10 minutes old: roll
                _ => TimeSpan.Zero,
            };
            time.Fake.Advance(step);
        };
        var sink = NewSink(_dir.Path, new FilesSinkOptions { MaxFileAge = TimeSpan.FromMinutes(10) }, BlockOptions.Of(8, 1), time);

        for (var b = 0; b < 5; b++)
        {
            await sink.Input.SendAsync(_batches.Events(b * 10, 10));
        }

        sink.Input.Complete();
        await sink.Completion;

        var files = Lz4Files.List(_dir.Path);
        Assert.Equal(3, files.Length);
        Assert.Equal(Enumerable.Range(0, 20), Lz4Files.Decode(files[0]).Select(Seq));
        Assert.Equal(Enumerable.Range(20, 20), Lz4Files.Decode(files[1]).Select(Seq));
        Assert.Equal(Enumerable.Range(40, 10), Lz4Files.Decode(files[2]).Select(Seq));
        Assert.StartsWith("pipeline-20250615T161000.000Z-", Path.GetFileName(files[1]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RetentionKeepsOnlyTheNewestRetainFilesFiles()
    {
        var options = new FilesSinkOptions { MaxFileBytes = 1, RetainFiles = 3 };
        var sink = NewSink(_dir.Path, options, BlockOptions.Of(8, 1), new FakeTimeProvider(Start));

        for (var b = 0; b < 6; b++)
        {
            await sink.Input.SendAsync(_batches.Events(b * 10, 10));
        }

        sink.Input.Complete();
        await sink.Completion;

        Assert.Equal(3, Lz4Files.List(_dir.Path).Length);
        Assert.Equal(Enumerable.Range(30, 30), Lz4Files.DecodeAll(_dir.Path).Select(Seq));
    }

    [Fact]
    public async Task RetentionDeletesFilesOlderThanRetainAgeAndLeavesOtherFilesAlone()
    {
        var old = PreExisting("pipeline-20250601T000000.000Z-0000.ndjson.lz4", Start - TimeSpan.FromDays(10));
        var recent = PreExisting("pipeline-20250614T000000.000Z-0000.ndjson.lz4", Start - TimeSpan.FromDays(1));
        var unrelated = PreExisting("notes.txt", Start - TimeSpan.FromDays(100));
        var options = new FilesSinkOptions { RetainAge = TimeSpan.FromDays(7), RetainFiles = 0 };
        var sink = NewSink(_dir.Path, options, BlockOptions.Of(8, 1), new FakeTimeProvider(Start));

        await sink.Input.SendAsync(_batches.Events(0, 10));
        sink.Input.Complete();
        await sink.Completion;

        Assert.False(File.Exists(old));
        Assert.True(File.Exists(recent));
        Assert.True(File.Exists(unrelated));
        var written = Assert.Single(Lz4Files.List(_dir.Path), f => f != recent);
        Assert.Equal(Enumerable.Range(0, 10), Lz4Files.Decode(written).Select(Seq));
    }

    [Fact]
    public async Task RetentionNeverDeletesTheActiveFile()
    {
        // The sink's clock is 60 days ahead of the file system's, so by age even the file it just
        // created looks expired; and the pre-existing files sort after it, so by count it is the first
        // candidate. It must survive both rules.
        var later1 = PreExisting("pipeline-20990101T000000.000Z-0000.ndjson.lz4", DateTimeOffset.UtcNow);
        var later2 = PreExisting("pipeline-20990101T000000.000Z-0001.ndjson.lz4", DateTimeOffset.UtcNow);
        var options = new FilesSinkOptions { RetainAge = TimeSpan.FromDays(30), RetainFiles = 1 };
        var sink = NewSink(_dir.Path, options, BlockOptions.Of(8, 1), new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(60)));

        await sink.Input.SendAsync(_batches.Events(0, 10));
        await sink.Input.SendAsync(_batches.Events(10, 10));
        sink.Input.Complete();
        await sink.Completion;

        Assert.False(File.Exists(later1));
        Assert.False(File.Exists(later2));
        var files = Lz4Files.List(_dir.Path);
        Assert.Single(files);
        Assert.Equal(Enumerable.Range(0, 20), Lz4Files.Decode(files[0]).Select(Seq));
    }

    [Fact]
    public async Task DisposeAsyncCompletesInputAndWritesEverythingAccepted()
    {
        var sink = NewSink(_dir.Path, new FilesSinkOptions(), BlockOptions.Of(8, 2), new FakeTimeProvider(Start));
        for (var b = 0; b < 6; b++)
        {
            await sink.Input.SendAsync(_batches.Events(b * 20, 20));
        }

        await sink.DisposeAsync();

        Assert.True(sink.Input.Completion.IsCompleted);
        Assert.False(await sink.Input.SendAsync(_batches.Events(999, 1)));
        Assert.Equal(Enumerable.Range(0, 120), Lz4Files.DecodeAll(_dir.Path).Select(Seq));
    }

    private FilesSink NewSink(string directory, FilesSinkOptions options, BlockOptions block, TimeProvider time) =>
        new(directory, options, block, _metrics, time, NullLogger.Instance);

    /// <summary>Replaces the sink's directory with a regular file, so opening a file in it fails.</summary>
    private static void BreakDirectory(string directory)
    {
        Directory.Delete(directory, recursive: true);
        File.WriteAllText(directory, "a file where the log directory should be");
    }

    private string PreExisting(string name, DateTimeOffset lastWrite)
    {
        var path = _dir.Combine(name);
        File.WriteAllBytes(path, []);
        File.SetLastWriteTimeUtc(path, lastWrite.UtcDateTime);
        return path;
    }

    private static int Seq(string line) =>
        JsonDocument.Parse(line).RootElement.GetProperty("attrs").GetProperty("seq").GetInt32();
}
