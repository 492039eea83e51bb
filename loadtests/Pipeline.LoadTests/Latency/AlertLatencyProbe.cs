using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using HdrHistogram;
using Pipeline.LoadTests.Reporting;

namespace Pipeline.LoadTests.Latency;

/// <summary>
/// Measures the alert path end to end: sends probe events (<c>"type":"alert_probe"</c>, one robot id
/// each: <c>probe-N</c>) over TCP at a steady interval, optionally under background load, and receives
/// the webhook channel's Alertmanager JSON itself. The latency of a probe is from the moment its line was
/// written to the socket to the moment the notification naming <c>robot_id=probe-N</c> arrived, so it
/// includes ingest, the graph, the rule's evaluation tick and the channel's grouping window. Percentiles
/// come from an HdrHistogram.
/// </summary>
internal sealed class AlertLatencyProbe
{
    private readonly LatencyPlan _plan;
    private readonly TextWriter _output;
    private readonly long[] _sentAt;
    private readonly long[] _arrivedAt;
    private int _arrived;
    private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public AlertLatencyProbe(LatencyPlan plan, TextWriter output)
    {
        _plan = plan;
        _output = output;
        _sentAt = new long[plan.Probes + 1];
        _arrivedAt = new long[plan.Probes + 1];
    }

    /// <returns>0 when every probe was notified in time, 1 when some were not, 2 when the receiver or the connection failed.</returns>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        using var listener = new HttpListener();
        listener.Prefixes.Add(_plan.Listen);
        try
        {
            listener.Start();
        }
        catch (HttpListenerException ex)
        {
            await Console.Error.WriteLineAsync($"alert-latency: cannot listen on {_plan.Listen}: {ex.Message}").ConfigureAwait(false);
            return 2;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var receiving = ReceiveAsync(listener, stop.Token);
        var background = _plan.BackgroundRate > 0 ? BackgroundAsync(stop.Token) : Task.CompletedTask;
        int result;
        try
        {
            using var probe = await ConnectAsync(cancellationToken).ConfigureAwait(false);
            _output.WriteLine($"alert-latency: {_plan.Probes} probes every {_plan.Interval.TotalMilliseconds:0} ms to {_plan.Host}:{_plan.Port}, " +
                              $"background {_plan.BackgroundRate} events/s, receiving on {_plan.Listen}");
            _output.Flush();
            using var timer = new PeriodicTimer(_plan.Interval);
            for (var i = 1; i <= _plan.Probes; i++)
            {
                await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false);
                var line = Encoding.UTF8.GetBytes(
                    $"{{\"robot_id\":\"probe-{i}\",\"level\":\"CRITICAL\",\"type\":\"alert_probe\",\"msg\":\"latency probe {i}\"}}\n");
                Volatile.Write(ref _sentAt[i], Stopwatch.GetTimestamp());
                await probe.SendAsync(line, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            }

            await Task.WhenAny(_all.Task, Task.Delay(_plan.Timeout, cancellationToken)).ConfigureAwait(false);
            result = Report();
        }
        catch (SocketException ex)
        {
            await Console.Error.WriteLineAsync($"alert-latency: cannot send to {_plan.Host}:{_plan.Port}: {ex.Message}").ConfigureAwait(false);
            result = 2;
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            listener.Stop();
            await Task.WhenAll(receiving, background).ConfigureAwait(false);
        }

        return result;
    }

    private async Task<Socket> ConnectAsync(CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(_plan.Host, _plan.Port, cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private async Task BackgroundAsync(CancellationToken cancellationToken)
    {
        // 100 events a write, as many writes a second as the rate asks; robots no rule of the probe matches.
        const int perWrite = 100;
        var text = new StringBuilder();
        for (var i = 0; i < perWrite; i++)
        {
            text.Append("{\"robot_id\":\"robot-").Append(i % 50).Append("\",\"level\":\"INFO\",\"type\":\"telemetry\",\"msg\":\"Battery level ")
                .Append(40 + i % 50).Append(" percent\",\"data\":{\"battery\":").Append(40 + i % 50).Append("}}\n");
        }

        var lines = Encoding.UTF8.GetBytes(text.ToString());
        try
        {
            using var socket = await ConnectAsync(cancellationToken).ConfigureAwait(false);
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(perWrite / (double)_plan.BackgroundRate));
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                await socket.SendAsync(lines, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (SocketException ex)
        {
            await Console.Error.WriteLineAsync($"alert-latency: background connection: {ex.Message}").ConfigureAwait(false);
        }
    }

    private async Task ReceiveAsync(HttpListener listener, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            var now = Stopwatch.GetTimestamp();
            try
            {
                using var body = await JsonDocument.ParseAsync(context.Request.InputStream, cancellationToken: cancellationToken).ConfigureAwait(false);
                Record(body.RootElement, now);
                context.Response.StatusCode = 200;
            }
            catch (JsonException)
            {
                context.Response.StatusCode = 400;
            }

            context.Response.Close();
        }
    }

    /// <summary>An Alertmanager webhook (version 4): <c>alerts[].labels.robot_id</c> of the firing alerts.</summary>
    private void Record(JsonElement root, long now)
    {
        if (!root.TryGetProperty("alerts", out var alerts) || alerts.ValueKind != JsonValueKind.Array)
        {
            return;
        }

        foreach (var alert in alerts.EnumerateArray())
        {
            if (alert.TryGetProperty("status", out var status) && status.GetString() != "firing")
            {
                continue;
            }

            if (!alert.TryGetProperty("labels", out var labels) || !labels.TryGetProperty("robot_id", out var robot) ||
                robot.GetString() is not { } id || !id.StartsWith("probe-", StringComparison.Ordinal) ||
                !int.TryParse(id.AsSpan(6), out var n) || n < 1 || n > _plan.Probes)
            {
                continue;
            }

            if (Interlocked.CompareExchange(ref _arrivedAt[n], now, 0) == 0 && Interlocked.Increment(ref _arrived) == _plan.Probes)
            {
                _all.TrySetResult();
            }
        }
    }

    private int Report()
    {
        var histogram = new LongHistogram(TimeSpan.FromMinutes(5).Ticks * 100, 3); // nanoseconds
        var missing = 0;
        for (var i = 1; i <= _plan.Probes; i++)
        {
            var (sent, arrived) = (Volatile.Read(ref _sentAt[i]), Volatile.Read(ref _arrivedAt[i]));
            if (sent == 0 || arrived == 0)
            {
                missing++;
                continue;
            }

            histogram.RecordValue((long)((arrived - sent) * (1e9 / Stopwatch.Frequency)));
        }

        _output.WriteLine();
        _output.WriteLine("--- summary: alert-latency (probe line written → its webhook notification received) ---");
        _output.WriteLine($"probes         {_plan.Probes}");
        _output.WriteLine($"notified       {_plan.Probes - missing}");
        if (histogram.TotalCount > 0)
        {
            _output.WriteLine($"p50            {Units.Nanoseconds(histogram.GetValueAtPercentile(50))}");
            _output.WriteLine($"p90            {Units.Nanoseconds(histogram.GetValueAtPercentile(90))}");
            _output.WriteLine($"p99            {Units.Nanoseconds(histogram.GetValueAtPercentile(99))}");
            _output.WriteLine($"max            {Units.Nanoseconds(histogram.GetMaxValue())}");
        }

        if (missing > 0)
        {
            _output.WriteLine($"note: {missing} probe(s) were not notified within {Units.Seconds(_plan.Timeout)} of the last one.");
            return 1;
        }

        return 0;
    }
}
