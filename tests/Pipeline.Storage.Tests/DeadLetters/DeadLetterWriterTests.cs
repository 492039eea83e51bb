using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Metrics;
using Pipeline.Storage.DeadLetters;
using Pipeline.Storage.Tests.Infrastructure;
using Pipeline.Tests.Shared;

namespace Pipeline.Storage.Tests.DeadLetters;

public sealed class DeadLetterWriterTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2025, 6, 15, 16, 0, 0, 123, TimeSpan.Zero);
    private static readonly SourceConnection Source = new("websocket", 7, "10.1.2.3:4567", "node-a");

    private readonly TempDirectory _dir = new();
    private readonly PipelineMetrics _metrics = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task WritesOneJsonObjectPerLineWithTheRecordFields()
    {
        var writer = NewWriter(new DeadLetterOptions(), new FakeTimeProvider(Start));

        writer.Write("parse", "malformed_json", Source, "{\"msg\":\"unterminated"u8);
        writer.Write("framing", "line_too_long", TestBatches.Source, "second \"quoted\" line"u8);
        await writer.DisposeAsync();

        var lines = ReadLines();
        Assert.Equal(2, lines.Count);
        var first = JsonDocument.Parse(lines[0]).RootElement;
        Assert.Equal(Start, first.GetProperty("ts").GetDateTimeOffset());
        Assert.Equal("parse", first.GetProperty("component").GetString());
        Assert.Equal("malformed_json", first.GetProperty("reason").GetString());
        Assert.Equal("websocket", first.GetProperty("protocol").GetString());
        Assert.Equal(7, first.GetProperty("conn_id").GetInt64());
        Assert.Equal("10.1.2.3:4567", first.GetProperty("remote").GetString());
        Assert.Equal(20, first.GetProperty("length").GetInt32());
        Assert.Equal("{\"msg\":\"unterminated", first.GetProperty("first_bytes").GetString());
        Assert.Equal("{\"msg\":\"unterminated"u8.ToArray(), first.GetProperty("first_bytes_base64").GetBytesFromBase64());

        var second = JsonDocument.Parse(lines[1]).RootElement;
        Assert.Equal("line_too_long", second.GetProperty("reason").GetString());
        Assert.Equal("tcp", second.GetProperty("protocol").GetString());
        Assert.Equal(42, second.GetProperty("conn_id").GetInt64());
        Assert.Equal("second \"quoted\" line", second.GetProperty("first_bytes").GetString());
        Assert.Equal(2, writer.Written);
    }

    [Fact]
    public async Task FirstBytesAreLimitedToMaxBytesPerRecordWhileLengthIsTheWholeInput()
    {
        var writer = NewWriter(new DeadLetterOptions { MaxBytesPerRecord = 16 }, new FakeTimeProvider(Start));
        var input = Encoding.UTF8.GetBytes(new string('x', 10) + "ééééé" + new string('y', 100)); // 'é' straddles byte 16

        writer.Write("framing", "line_too_long", Source, input);
        await writer.DisposeAsync();

        var record = JsonDocument.Parse(Assert.Single(ReadLines())).RootElement;
        Assert.Equal(input.Length, record.GetProperty("length").GetInt32());
        Assert.Equal(input.AsSpan(0, 16).ToArray(), record.GetProperty("first_bytes_base64").GetBytesFromBase64());
        Assert.StartsWith("xxxxxxxxxxééé", record.GetProperty("first_bytes").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidUtf8IsKeptExactlyInBase64AndTheLineStaysValidJson()
    {
        var writer = NewWriter(new DeadLetterOptions(), new FakeTimeProvider(Start));
        byte[] input = [(byte)'{', 0xFF, 0xFE, (byte)'"', 0xC3, 0x28, (byte)'\n', 0x00, 0xED, 0xA0, 0x80, (byte)'}'];

        writer.Write("parse", "invalid_utf8", Source, input);
        await writer.DisposeAsync();

        var bytes = File.ReadAllBytes(Assert.Single(Files()));
        Assert.True(System.Text.Unicode.Utf8.IsValid(bytes), "the dead-letter file must be valid UTF-8");
        var record = JsonDocument.Parse(Assert.Single(ReadLines())).RootElement;
        Assert.Equal(input, record.GetProperty("first_bytes_base64").GetBytesFromBase64());
        var text = record.GetProperty("first_bytes").GetString()!;
        Assert.Contains('\uFFFD', text);
        Assert.StartsWith("{", text, StringComparison.Ordinal);
        Assert.EndsWith("}", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrittenRecordsAreCountedByReason()
    {
        var writer = NewWriter(new DeadLetterOptions(), new FakeTimeProvider(Start));

        writer.Write("parse", "malformed_json", Source, "{"u8);
        writer.Write("parse", "malformed_json", Source, "{{"u8);
        writer.Write("parse", "not_an_object", Source, "[]"u8);
        await writer.DisposeAsync();

        Assert.Equal(2, await MetricsText.ValueAsync(_metrics, "pipeline_deadletter_records_total", ("reason", "malformed_json")));
        Assert.Equal(1, await MetricsText.ValueAsync(_metrics, "pipeline_deadletter_records_total", ("reason", "not_an_object")));
        Assert.Equal(0, _metrics.DeadLettersDropped.Value);
    }

    [Fact]
    public async Task DisposeAsyncWritesEverythingQueuedInOrder()
    {
        var writer = NewWriter(new DeadLetterOptions(), new FakeTimeProvider(Start));

        for (var i = 0; i < 3000; i++)
        {
            writer.Write("parse", "malformed_json", Source, Encoding.UTF8.GetBytes($"record {i}"));
        }

        await writer.DisposeAsync();

        var lines = ReadLines();
        Assert.Equal(3000, writer.Written);
        Assert.Equal(
            Enumerable.Range(0, 3000).Select(i => $"record {i}"),
            lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("first_bytes").GetString()));
    }

    [Fact]
    public async Task RecordsThatDoNotFitTheQueueAreDroppedAndCounted()
    {
        // Everything up to the gate runs synchronously on the test's thread; the gate stops the
        // writer task (another thread) when it opens its file for the first record, so the queue of
        // one fills with the second record and every later one is dropped.
        using var gate = new StepGate();
        var testThread = Environment.CurrentManagedThreadId;
        var time = new HookedTimeProvider(Start);
        time.BeforeUtcNow = _ =>
        {
            if (Environment.CurrentManagedThreadId != testThread)
            {
                gate.Enter();
            }
        };
        var writer = NewWriter(new DeadLetterOptions { QueueCapacity = 1 }, time);

        writer.Write("parse", "malformed_json", Source, "record 0"u8);
        gate.WaitEntered();
        for (var i = 1; i < 50; i++)
        {
            writer.Write("parse", "malformed_json", Source, Encoding.UTF8.GetBytes($"record {i}"));
        }

        Assert.Equal(48, _metrics.DeadLettersDropped.Value);
        gate.Open();
        await writer.DisposeAsync();

        Assert.Equal(2, writer.Written);
        Assert.Equal(
            ["record 0", "record 1"],
            ReadLines().Select(l => JsonDocument.Parse(l).RootElement.GetProperty("first_bytes").GetString()));
        Assert.Equal(48, await MetricsText.ValueAsync(_metrics, "pipeline_deadletter_dropped_total"));
        Assert.Equal(2, await MetricsText.ValueAsync(_metrics, "pipeline_deadletter_records_total", ("reason", "malformed_json")));
    }

    [Fact]
    public async Task WithASmallQueueEveryRecordIsEitherWrittenOrCountedAsDropped()
    {
        var writer = NewWriter(new DeadLetterOptions { QueueCapacity = 1 }, new FakeTimeProvider(Start));

        for (var i = 0; i < 2000; i++)
        {
            writer.Write("parse", "malformed_json", Source, Encoding.UTF8.GetBytes($"record {i}"));
        }

        await writer.DisposeAsync();

        Assert.Equal(2000, writer.Written + (long)_metrics.DeadLettersDropped.Value);
        Assert.Equal(writer.Written, ReadLines().Count);
    }

    [Fact]
    public async Task RollsToANewFileOnceTheFileReachesMaxFileBytes()
    {
        var time = new FakeTimeProvider(Start) { AutoAdvanceAmount = TimeSpan.FromSeconds(1) };
        var writer = NewWriter(new DeadLetterOptions { MaxFileBytes = 4096, RetainFiles = 100 }, time);

        // Each record is about 2.6 KB (1000 bytes as text and as base64): two fit before the roll.
        for (var i = 0; i < 6; i++)
        {
            writer.Write("framing", "line_too_long", Source, Record(i, 1000));
        }

        await writer.DisposeAsync();

        var files = Files();
        Assert.Equal(3, files.Length);
        Assert.All(files, f => Assert.Equal(2, File.ReadAllLines(f).Length));
        Assert.Equal(Enumerable.Range(0, 6), ReadLines().Select(RecordNumber));
    }

    [Fact]
    public async Task RetentionKeepsTheNewestRetainFilesFiles()
    {
        var time = new FakeTimeProvider(Start) { AutoAdvanceAmount = TimeSpan.FromSeconds(1) };
        var writer = NewWriter(new DeadLetterOptions { MaxFileBytes = 4096, MaxBytesPerRecord = 4096, RetainFiles = 2 }, time);

        for (var i = 0; i < 6; i++)
        {
            writer.Write("framing", "line_too_long", Source, Record(i, 4096)); // one record per file
        }

        await writer.DisposeAsync();

        Assert.Equal(2, Files().Length);
        Assert.Equal([4, 5], ReadLines().Select(RecordNumber));
    }

    [Fact]
    public async Task RollsEvenWhenTheClockHasNotMovedSinceTheLastFileWasOpened()
    {
        // Two rolls within one millisecond (a burst of large dead letters) give the same file name.
        var writer = NewWriter(new DeadLetterOptions { MaxFileBytes = 4096, MaxBytesPerRecord = 4096, RetainFiles = 100 }, new FakeTimeProvider(Start));

        for (var i = 0; i < 3; i++)
        {
            writer.Write("framing", "line_too_long", Source, Record(i, 4096));
        }

        await writer.DisposeAsync();

        Assert.Equal(Enumerable.Range(0, 3), ReadLines().Select(RecordNumber));
        Assert.Equal(3, Files().Length);
    }

    [Fact]
    public async Task RetentionNeverDeletesTheFileBeingWritten()
    {
        // Files from before the wall clock was set back sort after the file the writer opens now.
        File.WriteAllText(_dir.Combine("deadletter-20990101T000000.000Z.ndjson"), "{}\n");
        File.WriteAllText(_dir.Combine("deadletter-20990101T000000.001Z.ndjson"), "{}\n");
        var writer = NewWriter(new DeadLetterOptions { RetainFiles = 2 }, new FakeTimeProvider(Start));

        writer.Write("parse", "malformed_json", Source, "kept"u8);
        await writer.DisposeAsync();

        Assert.Equal(1, writer.Written);
        Assert.Contains(ReadLines(), l => l.Contains("\"first_bytes\":\"kept\"", StringComparison.Ordinal));
        Assert.Equal(2, Files().Length);
    }

    [Fact]
    public async Task UnwritableDirectoryCountsRecordsAsDroppedWithoutThrowing()
    {
        var blocker = _dir.Combine("file");
        File.WriteAllText(blocker, "a file, so no directory can be created under it");
        var writer = new DeadLetterWriter(Path.Combine(blocker, "deadletter"), new DeadLetterOptions(), _metrics, new FakeTimeProvider(Start), NullLogger.Instance);

        writer.Write("parse", "malformed_json", Source, "a"u8);
        writer.Write("parse", "malformed_json", Source, "b"u8);
        writer.Write("parse", "malformed_json", Source, "c"u8);
        await writer.DisposeAsync();

        Assert.Equal(0, writer.Written);
        Assert.Equal(3, await MetricsText.ValueAsync(_metrics, "pipeline_deadletter_dropped_total"));
        Assert.Equal(0, _metrics.DeadLetters.WithLabels("malformed_json").Value);
    }

    private DeadLetterWriter NewWriter(DeadLetterOptions options, TimeProvider time) =>
        new(_dir.Path, options, _metrics, time, NullLogger.Instance);

    private string[] Files()
    {
        var files = Directory.GetFiles(_dir.Path, "deadletter-*.ndjson");
        Array.Sort(files, StringComparer.Ordinal);
        return files;
    }

    /// <summary>Every record line of every dead-letter file, in name order.</summary>
    private List<string> ReadLines()
    {
        var lines = new List<string>();
        foreach (var file in Files())
        {
            foreach (var line in File.ReadAllLines(file))
            {
                if (line != "{}")
                {
                    lines.Add(line);
                }
            }
        }

        return lines;
    }

    /// <summary><paramref name="size"/> bytes starting with the record number.</summary>
    private static byte[] Record(int number, int size)
    {
        var bytes = new byte[size];
        bytes.AsSpan().Fill((byte)'z');
        Encoding.ASCII.GetBytes($"{number:D4}:").CopyTo(bytes, 0);
        return bytes;
    }

    private static int RecordNumber(string line) =>
        int.Parse(JsonDocument.Parse(line).RootElement.GetProperty("first_bytes").GetString()![..4], System.Globalization.CultureInfo.InvariantCulture);
}
