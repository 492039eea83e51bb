using HdrHistogram;
using Pipeline.LoadTests.Fleet;

namespace Pipeline.LoadTests.Reporting;

/// <summary>The load generator's output: a line per second while running, then a summary.</summary>
internal sealed class ConsoleReport
{
    private readonly TextWriter _output;
    private long _lastEvents;
    private long _lastBytes;
    private TimeSpan _lastElapsed;

    public ConsoleReport(TextWriter output)
    {
        _output = output;
    }

    public void Start(LoadPlan plan)
    {
        var what = plan.Events > 0 ? $"{Units.Count(plan.Events)} events" : $"for {Units.Seconds(plan.Duration)}";
        var rate = plan.Rate > 0 ? $"{Units.Rate(plan.Rate)} events/s" : "as fast as possible";
        _output.WriteLine($"pipeline-load {plan.Target}: {plan.Robots} robots, {rate}, {what}, " +
                          $"{plan.LinesPerWrite} event(s) per write, hard stop after {Units.Seconds(plan.Timeout)}");
    }

    public void Connected(int connected, int robots, TimeSpan elapsed, IReadOnlyDictionary<string, int> failures)
    {
        _output.WriteLine($"connected {connected}/{robots} robots in {Units.Seconds(elapsed)}");
        foreach (var (message, count) in failures)
        {
            _output.WriteLine($"  connect failed ×{count}: {message}");
        }
    }

    public void Interrupted(string signal) =>
        _output.WriteLine($"{signal}: stopping, closing connections (again to abort)");

    /// <summary>One progress line: the last interval's rates and latencies, and the totals.</summary>
    public void Progress(LoadStats stats, TimeSpan elapsed, int sending)
    {
        var interval = stats.TakeInterval();
        var acks = stats.TakeAckInterval();
        var seconds = Math.Max((elapsed - _lastElapsed).TotalSeconds, 1e-9);
        var events = stats.Events;
        var bytes = stats.Bytes;
        _output.WriteLine(
            $"[{elapsed.TotalSeconds,6:F1}s] {Units.Rate((events - _lastEvents) / seconds),9} ev/s " +
            $"{Units.Bytes((bytes - _lastBytes) / seconds),10}/s  total {Units.Count(events),11}  " +
            $"write {Latencies(interval)}" + (acks.TotalCount > 0 ? $"  ack {Latencies(acks)}" : "") + $"  robots sending {sending}" +
            (stats.ErrorCount > 0 ? $"  errors {stats.ErrorCount}" : ""));
        _lastEvents = events;
        _lastBytes = bytes;
        _lastElapsed = elapsed;
    }

    public void Summary(LoadPlan plan, LoadStats stats, TimeSpan sending, int connected, int closedCleanly, IReadOnlyDictionary<string, int> closeNotes)
    {
        stats.TakeInterval();
        stats.TakeAckInterval();
        var seconds = Math.Max(sending.TotalSeconds, 1e-9);
        var rate = stats.Events / seconds;
        _output.WriteLine();
        _output.WriteLine($"--- summary: {plan.Target} ---");
        _output.WriteLine($"robots         {connected} of {plan.Robots} connected");
        _output.WriteLine($"sending time   {Units.Seconds(sending)}");
        _output.WriteLine($"events         {Units.Count(stats.Events)} sent, {Units.Rate(rate)} events/s" +
                          (plan.Rate > 0 ? $" (target {Units.Rate(plan.Rate)})" : ""));
        _output.WriteLine($"bytes          {Units.Count(stats.Bytes)} sent, {Units.Bytes(stats.Bytes / seconds)}/s, " +
                          $"{(stats.Events == 0 ? 0 : stats.Bytes / stats.Events)} B/event");
        _output.WriteLine($"writes         {Units.Count(stats.Writes)}, {plan.LinesPerWrite} event(s) each");
        _output.WriteLine($"write latency  {Latencies(stats.Total)}  mean {Units.Nanoseconds((long)stats.Total.GetMean())}");
        if (plan.Acks)
        {
            _output.WriteLine($"acked          {Units.Count(stats.Acked)} of {Units.Count(stats.Events)} events");
            _output.WriteLine($"ack latency    {Latencies(stats.AckTotal)}  mean {Units.Nanoseconds((long)stats.AckTotal.GetMean())}");
        }

        _output.WriteLine($"closed         {closedCleanly} of {connected} connections closed by the server after reading everything");
        foreach (var (note, count) in closeNotes)
        {
            _output.WriteLine($"  ×{count}: {note}");
        }

        _output.WriteLine($"errors         {stats.ErrorCount}");
        foreach (var (message, count) in stats.Errors)
        {
            _output.WriteLine($"  ×{count}: {message}");
        }

        if (plan.Rate > 0 && rate < plan.Rate * 0.95 && stats.Events > 0)
        {
            _output.WriteLine($"note: the target rate was not reached ({rate / plan.Rate:P0}): the server or this generator was the limit.");
        }
    }

    private static string Latencies(HistogramBase histogram) =>
        histogram.TotalCount == 0
            ? "no writes"
            : $"p50 {Units.Nanoseconds(histogram.GetValueAtPercentile(50))}  p90 {Units.Nanoseconds(histogram.GetValueAtPercentile(90))}  " +
              $"p99 {Units.Nanoseconds(histogram.GetValueAtPercentile(99))}  p99.9 {Units.Nanoseconds(histogram.GetValueAtPercentile(99.9))}  " +
              $"max {Units.Nanoseconds(histogram.GetMaxValue())}";
}
