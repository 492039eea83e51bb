using System.Diagnostics;
using System.Globalization;
using Pipeline.Client;
using Pipeline.Client.Bench;

// A console measurement of the client, not a unit test: N events through Log as fast as one or more threads can,
// then until the server acknowledged the last one. Prints one line per run; the README keeps the numbers.
//   pipeline-client-bench --uri ws://127.0.0.1:5080/ingest [--events 2000000] [--threads 1] [--runs 3]
//   pipeline-client-bench --uri null-tcp …   (an in-process server that acks every line at once: the client alone)
var uri = Arg("--uri", "ws://127.0.0.1:5080/ingest");
var events = long.Parse(Arg("--events", "2000000"), CultureInfo.InvariantCulture);
var threads = int.Parse(Arg("--threads", "1"), CultureInfo.InvariantCulture);
var runs = int.Parse(Arg("--runs", "3"), CultureInfo.InvariantCulture);

await using var nullServer = uri == "null-tcp" ? NullServer.Start() : null;
var target = nullServer?.Uri ?? new Uri(uri);
for (var run = 1; run <= runs; run++)
{
    var options = new PipelineClientOptions { Uri = target, RobotId = "bench-" + run.ToString(CultureInfo.InvariantCulture) };
    await using var client = new PipelineClient(options);
    var clock = Stopwatch.StartNew();
    var perThread = events / threads;
    await Task.WhenAll(Enumerable.Range(0, threads).Select(t => Task.Run(() =>
    {
        for (long i = 0; i < perThread; i++)
        {
            client.Log(PipelineLevel.Info, "pose update", "nav", [new("x", i), new("thread", t)]);
        }
    })));
    var logged = clock.Elapsed;
    await client.FlushAsync(TimeSpan.FromMinutes(5));
    var acked = clock.Elapsed;
    var total = perThread * threads;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"run {run}: {total:N0} events, {threads} thread(s), {target}: logged at {total / logged.TotalSeconds:N0} events/s, acknowledged at {total / acked.TotalSeconds:N0} events/s ({acked.TotalSeconds:F2} s; sent {client.Sent:N0}, resent {client.Resent:N0})"));
}

string Arg(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}
