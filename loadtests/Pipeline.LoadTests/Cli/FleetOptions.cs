using System.CommandLine;
using System.CommandLine.Parsing;
using Pipeline.LoadTests.Fleet;

namespace Pipeline.LoadTests.Cli;

/// <summary>The options every transport shares: fleet size, rate, how long, how much. One set per command.</summary>
internal sealed class FleetOptions
{
    public FleetOptions()
    {
        Robots.Validators.Add(r => AtLeast(r, r.GetValueOrDefault<int>(), 1));
        LinesPerWrite.Validators.Add(r => AtLeast(r, r.GetValueOrDefault<int>(), 1));
        Events.Validators.Add(r => AtLeast(r, r.GetValueOrDefault<long>(), 0));
        Rate.Validators.Add(r =>
        {
            var rate = r.GetValueOrDefault<double>();
            if (!(rate >= 0) || double.IsInfinity(rate))
            {
                r.AddError("--rate must be 0 (as fast as possible) or a positive number of events per second.");
            }
        });
    }

    public Option<int> Robots { get; } = new("--robots", "-r")
    {
        Description = "Robots to simulate; each is one connection sending its own events (robot-1, robot-2, …).",
        DefaultValueFactory = _ => 100,
    };

    public Option<double> Rate { get; } = new("--rate")
    {
        Description = "Events per second for the whole fleet, shared evenly by the robots; 0 = as fast as the connections go.",
        DefaultValueFactory = _ => 1000,
    };

    public Option<TimeSpan> Duration { get; } = new("--duration", "-d")
    {
        Description = "How long to send, e.g. 30s, 500ms, 2m (ignored when --events is given).",
        DefaultValueFactory = _ => TimeSpan.FromSeconds(30),
        CustomParser = DurationParser.Parse,
    };

    public Option<long> Events { get; } = new("--events", "-n")
    {
        Description = "Send exactly this many events in total (split across the robots) instead of sending for --duration; 0 = use --duration.",
        DefaultValueFactory = _ => 0,
    };

    public Option<int> LinesPerWrite { get; } = new("--lines-per-write")
    {
        Description = "Events per socket write (TCP) or per text message (WebSocket); latency is measured per write.",
        DefaultValueFactory = _ => 1,
    };

    public Option<int> Seed { get; } = new("--seed")
    {
        Description = "Robot i generates its events with seed SEED+i: the same seed sends the same events.",
        DefaultValueFactory = _ => 7,
    };

    public Option<TimeSpan> Timeout { get; } = new("--timeout")
    {
        Description = "Hard stop: whatever happens (a stalled server, a huge --events), the run ends after this long and writes in flight are aborted.",
        DefaultValueFactory = _ => TimeSpan.FromMinutes(5),
        CustomParser = DurationParser.Parse,
    };

    public Option<bool> Acks { get; } = new("--acks")
    {
        Description = "Acknowledged delivery (docs/acks.md, WebSocket): each robot says hello with acks and a boot_id, numbers its events " +
                      "(seq first, from 1), waits for the ack of everything before closing, and the report adds the ack latency " +
                      "(a write to the ack that covers it).",
    };

    public Option<bool> FixedTimestamps { get; } = new("--fixed-timestamps")
    {
        Description = "Stamp ts as gen_events.py does (2026-11-23T12:mm:ss.fff from seq: the same bytes every run) instead of with " +
                      "the time each event is sent (the default, so `pipeline stats --since 24h` over a load test counts its events).",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Robots);
        command.Options.Add(Rate);
        command.Options.Add(Duration);
        command.Options.Add(Events);
        command.Options.Add(LinesPerWrite);
        command.Options.Add(Seed);
        command.Options.Add(Timeout);
        command.Options.Add(FixedTimestamps);
    }

    /// <summary>Only the WebSocket command has acks (<see cref="Acks"/>).</summary>
    public void AddAcksTo(Command command) => command.Options.Add(Acks);

    public LoadPlan Plan(ParseResult result, string target) => new()
    {
        Target = target,
        Robots = result.GetValue(Robots),
        Rate = result.GetValue(Rate),
        Duration = result.GetValue(Duration),
        Events = result.GetValue(Events),
        LinesPerWrite = result.GetValue(LinesPerWrite),
        Seed = result.GetValue(Seed),
        Timeout = result.GetValue(Timeout),
        Acks = result.GetValue(Acks),
        FixedTimestamps = result.GetValue(FixedTimestamps),
    };

    private static void AtLeast(OptionResult result, long value, long minimum)
    {
        if (value < minimum)
        {
            result.AddError($"{result.Option.Name} must be at least {minimum}.");
        }
    }
}
