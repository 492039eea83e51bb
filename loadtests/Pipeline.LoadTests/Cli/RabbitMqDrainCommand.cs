using System.CommandLine;
using Pipeline.LoadTests.Drain;

namespace Pipeline.LoadTests.Cli;

/// <summary><c>pipeline-load rabbitmq-drain --uri amqp://… [options]</c>.</summary>
internal static class RabbitMqDrainCommand
{
    public static Command Create(TextWriter output)
    {
        // Checked in the action, not the parser: a bad URI exits 2 like an unreachable broker (parse errors exit 1).
        var uri = new Option<string>("--uri")
        {
            Description = "The broker, amqp://user:pass@host:port/vhost (or amqps://).",
            Required = true,
        };
        var exchange = new Option<string>("--exchange") { Description = "Exchange to bind to; declared durable topic, as the pipeline declares it.", DefaultValueFactory = _ => "pipeline.events" };
        var queue = new Option<string>("--queue", "-q") { Description = "Durable queue to declare, bind and drain.", DefaultValueFactory = _ => "pipeline-load.drain" };
        var binding = new Option<string>("--binding") { Description = "Binding key ('#' = everything; Batch mode: the route's literal prefix, e.g. 'logstore.#').", DefaultValueFactory = _ => "#" };
        var duration = new Option<TimeSpan>("--duration", "-d")
        {
            Description = "Hard stop: consume for at most this long (30s, 2m, 00:01:10).",
            DefaultValueFactory = _ => TimeSpan.FromSeconds(70),
            CustomParser = DurationParser.Parse,
        };
        var events = new Option<long>("--events", "-n") { Description = "Stop once this many events were counted (exit 1 if --duration ends first); 0 = no count.", DefaultValueFactory = _ => 0 };
        var idle = new Option<TimeSpan>("--idle")
        {
            Description = "Also stop when no message arrived for this long after the first one (e.g. 5s); default: off.",
            DefaultValueFactory = _ => TimeSpan.Zero,
            CustomParser = DurationParser.Parse,
        };
        var prefetch = new Option<int>("--prefetch") { Description = "Unacknowledged messages the broker may hand over at once (basic.qos).", DefaultValueFactory = _ => 1000 };
        var ackEvery = new Option<int>("--ack-every") { Description = "One multiple-ack per this many messages; 0 = half of --prefetch.", DefaultValueFactory = _ => 0 };
        var purge = new Option<bool>("--purge") { Description = "Purge the queue after declaring it, so leftovers of an earlier run are not counted." };
        events.Validators.Add(r => { if (r.GetValueOrDefault<long>() < 0) { r.AddError("--events must be 0 or more."); } });
        prefetch.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 1 or > ushort.MaxValue) { r.AddError("--prefetch must be 1-65535."); } });
        ackEvery.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 0) { r.AddError("--ack-every must be 0 or more."); } });

        var command = new Command("rabbitmq-drain",
            "Declares a durable queue bound to the pipeline's exchange, consumes it with manual multiple-acks and counts " +
            "messages and events (x-event-count for Batch-mode messages, else 1), once per second and at the end. Start it " +
            "before the pipeline publishes: an exchange without a bound queue makes the messages unroutable. Stops by itself " +
            "(--duration, --events, --idle). Exit 0: ran (and reached --events if given); 1: --events not reached; 2: bad URI or broker unusable.")
        {
            uri, exchange, queue, binding, duration, events, idle, prefetch, ackEvery, purge,
        };
        command.Validators.Add(r =>
        {
            var (p, a) = (r.GetValue(prefetch), r.GetValue(ackEvery));
            if (a > p)
            {
                r.AddError($"--ack-every ({a}) must not exceed --prefetch ({p}): the broker would stop delivering before the consumer acks.");
            }
        });
        command.SetAction(async (result, cancellationToken) =>
        {
            var text = result.GetValue(uri)!;
            if (!Uri.TryCreate(text, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("amqp" or "amqps") || parsed.Host.Length == 0)
            {
                await Console.Error.WriteLineAsync($"rabbitmq-drain: --uri '{text}' is not an amqp:// or amqps:// URI (e.g. amqp://guest:guest@127.0.0.1:5672/).").ConfigureAwait(false);
                return 2;
            }

            var p = result.GetValue(prefetch);
            var a = result.GetValue(ackEvery);
            var plan = new DrainPlan
            {
                Uri = parsed,
                Exchange = result.GetValue(exchange)!,
                Queue = result.GetValue(queue)!,
                Binding = result.GetValue(binding)!,
                Duration = result.GetValue(duration),
                Events = result.GetValue(events),
                Idle = result.GetValue(idle),
                Prefetch = (ushort)p,
                AckEvery = a == 0 ? Math.Max(1, p / 2) : a,
                Purge = result.GetValue(purge),
            };
            return await new RabbitMqDrain(plan, output).RunAsync(cancellationToken).ConfigureAwait(false);
        });
        return command;
    }
}
