using System.Text;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Blocks.DeadLetters;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Metrics;
using Pipeline.Blocks.Parse;
using Pipeline.Blocks.PatternMine;
using Pipeline.Blocks.PatternMine.Anomalies;

namespace Pipeline.PatternMine.Tests.Anomalies;

/// <summary>
/// A miner, the real parse and pattern-mine blocks and a detector on a <see cref="FakeTimeProvider"/>:
/// tests send NDJSON lines through the blocks as ingest would and close windows by moving the clock.
/// </summary>
internal sealed class AnomalyFixture : IDeadLetterSink
{
    public static readonly DateTimeOffset Start = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private readonly EventBatchPool _pool = new(new EventBatchPoolOptions { InitialBytes = 64 * 1024, InitialEvents = 256 });
    private readonly ParseBlock _parse;
    private readonly PatternMineBlock _block;

    public AnomalyFixture(PatternAnomalyOptions options, PatternMineOptions? mineOptions = null)
    {
        Metrics = new PipelineMetrics();
        Miner = new TemplateMiner(mineOptions ?? new PatternMineOptions());
        Detector = new PatternAnomalyDetector(Miner, options, Time, Metrics);
        _parse = new ParseBlock(new ParseOptions(), Metrics, this);
        _block = new PatternMineBlock(Miner, Time, Metrics, Detector);
    }

    public FakeTimeProvider Time { get; } = new(Start);

    public PipelineMetrics Metrics { get; }

    public TemplateMiner Miner { get; }

    public PatternAnomalyDetector Detector { get; }

    public int Rejected { get; private set; }

    /// <summary>Options for tests: 10 s windows, 1 min warm-up, baseline after 3 windows, cap 5, cooldown 5 min.</summary>
    public static PatternAnomalyOptions Options(Action<PatternAnomalyOptions>? change = null)
    {
        var options = new PatternAnomalyOptions
        {
            Window = TimeSpan.FromSeconds(10),
            WarmUp = TimeSpan.FromMinutes(1),
            BaselineWindows = 3,
            MinEvents = 20,
            MinErrors = 10,
            SpikeFactor = 3,
            ErrorSpikeFactor = 3,
            MaxAnomaliesPerWindow = 5,
            Cooldown = TimeSpan.FromMinutes(5),
        };
        change?.Invoke(options);
        return options;
    }

    public static string Line(string robot, string level, string msg, string? type = null) =>
        $"{{\"robot_id\":\"{robot}\",\"level\":\"{level}\"{(type is null ? "" : $",\"type\":\"{type}\"")},\"msg\":\"{msg}\"}}";

    /// <summary>Sends <paramref name="count"/> copies of a line through parse and pattern-mine as one batch.</summary>
    public void Send(string line, int count = 1)
    {
        var lines = new string[count];
        Array.Fill(lines, line);
        Send(lines);
    }

    public void Send(params string[] lines)
    {
        var batch = Parsed(lines);
        _block.Process(batch);
        batch.Release();
    }

    /// <summary>Lines copied into a pooled batch and parsed, as ingest and the parse block do.</summary>
    public EventBatch Parsed(params string[] lines)
    {
        var batch = _pool.Rent();
        batch.ReceivedAt = Time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var line in lines)
        {
            var slice = batch.Append(Encoding.UTF8.GetBytes(line));
            batch.AddLine(slice.Offset, slice.Length);
        }

        _parse.Process(batch);
        return batch;
    }

    /// <summary>Moves the clock one window on and closes the window.</summary>
    public IReadOnlyList<PatternAnomaly> NextWindow()
    {
        Time.Advance(TimeSpan.FromSeconds(10));
        return Detector.Tick();
    }

    /// <summary>Windows of <paramref name="perWindow"/> copies of <paramref name="line"/>; returns every anomaly of them.</summary>
    public List<PatternAnomaly> Windows(int windows, string line, int perWindow)
    {
        var all = new List<PatternAnomaly>();
        for (var i = 0; i < windows; i++)
        {
            Send(line, perWindow);
            all.AddRange(NextWindow());
        }

        return all;
    }

    /// <summary>Closes windows without traffic until the warm-up is over.</summary>
    public void PassWarmUp()
    {
        while (!Detector.WarmedUp)
        {
            NextWindow();
        }
    }

    public void Write(string component, string reason, SourceConnection source, ReadOnlySpan<byte> input) => Rejected++;
}
