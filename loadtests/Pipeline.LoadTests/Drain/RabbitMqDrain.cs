using System.Diagnostics;
using System.Text;
using Pipeline.LoadTests.Reporting;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Pipeline.LoadTests.Drain;

/// <summary>
/// Consumes a durable queue bound to the pipeline's exchange with manual multiple-acks and counts
/// messages and events (a Batch-mode message carries <c>x-event-count</c>; anything else is one event).
/// Reports once per second and at the end; stops after the duration, the event count, or an idle gap.
/// </summary>
internal sealed class RabbitMqDrain
{
    private readonly DrainPlan _plan;
    private readonly TextWriter _output;
    private long _messages;
    private long _events;
    private long _lastArrival;
    private long _firstArrival;

    public RabbitMqDrain(DrainPlan plan, TextWriter output)
    {
        _plan = plan;
        _output = output;
    }

    /// <returns>0 when it ran (and reached <c>--events</c> if given), 1 when <c>--events</c> was not reached, 2 when the broker could not be used.</returns>
    public async Task<int> RunAsync(CancellationToken interrupted)
    {
        var factory = new ConnectionFactory { Uri = _plan.Uri, ClientProvidedName = "pipeline-load rabbitmq-drain", AutomaticRecoveryEnabled = false };
        IConnection connection;
        try
        {
            connection = await factory.CreateConnectionAsync(interrupted).ConfigureAwait(false);
        }
        catch (BrokerUnreachableException ex)
        {
            await Console.Error.WriteLineAsync($"rabbitmq-drain: cannot connect to {Redacted(_plan.Uri)}: {Inner(ex)}").ConfigureAwait(false);
            return 2;
        }

        await using (connection.ConfigureAwait(false))
        {
            var channel = await connection.CreateChannelAsync(cancellationToken: interrupted).ConfigureAwait(false);
            await using (channel.ConfigureAwait(false))
            {
                try
                {
                    await channel.ExchangeDeclareAsync(_plan.Exchange, ExchangeType.Topic, durable: true, autoDelete: false, cancellationToken: interrupted).ConfigureAwait(false);
                    await channel.QueueDeclareAsync(_plan.Queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: interrupted).ConfigureAwait(false);
                    await channel.QueueBindAsync(_plan.Queue, _plan.Exchange, _plan.Binding, cancellationToken: interrupted).ConfigureAwait(false);
                    if (_plan.Purge)
                    {
                        await channel.QueuePurgeAsync(_plan.Queue, interrupted).ConfigureAwait(false);
                    }

                    await channel.BasicQosAsync(0, _plan.Prefetch, global: false, interrupted).ConfigureAwait(false);
                }
                catch (OperationInterruptedException ex)
                {
                    await Console.Error.WriteLineAsync($"rabbitmq-drain: the broker refused the declare: {ex.ShutdownReason?.ReplyText ?? ex.Message}").ConfigureAwait(false);
                    return 2;
                }

                return await ConsumeAsync(channel, interrupted).ConfigureAwait(false);
            }
        }
    }

    private async Task<int> ConsumeAsync(IChannel channel, CancellationToken interrupted)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(interrupted);
        stop.CancelAfter(_plan.Duration);
        var clock = Stopwatch.StartNew();
        var unacked = 0;
        var consumer = new AsyncEventingBasicConsumer(channel);
        // Deliveries are dispatched one at a time (ConsumerDispatchConcurrency 1), so the counters have
        // one writer; the reporter only reads them.
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            var now = clock.ElapsedTicks;
            if (Interlocked.Read(ref _messages) == 0)
            {
                Volatile.Write(ref _firstArrival, now);
            }

            Volatile.Write(ref _lastArrival, now);
            var events = Interlocked.Add(ref _events, EventCount(delivery.BasicProperties));
            Interlocked.Increment(ref _messages);
            if (++unacked >= _plan.AckEvery)
            {
                unacked = 0;
                await channel.BasicAckAsync(delivery.DeliveryTag, multiple: true).ConfigureAwait(false);
            }

            if (_plan.Events > 0 && events >= _plan.Events)
            {
                if (unacked > 0)
                {
                    unacked = 0;
                    await channel.BasicAckAsync(delivery.DeliveryTag, multiple: true).ConfigureAwait(false);
                }

                stop.Cancel();
            }
        };

        var tag = await channel.BasicConsumeAsync(_plan.Queue, autoAck: false, consumer, interrupted).ConfigureAwait(false);
        _output.WriteLine($"rabbitmq-drain: consuming '{_plan.Queue}' (durable, bound to '{_plan.Exchange}' with '{_plan.Binding}'), " +
                          $"prefetch {_plan.Prefetch}, ack every {_plan.AckEvery}; stops after {Units.Seconds(_plan.Duration)}" +
                          (_plan.Events > 0 ? $" or {Units.Count(_plan.Events)} events" : "") +
                          (_plan.Idle > TimeSpan.Zero ? $" or {Units.Seconds(_plan.Idle)} without a message" : ""));
        _output.Flush();

        long lastMessages = 0, lastEvents = 0;
        var lastElapsed = TimeSpan.Zero;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(stop.Token).ConfigureAwait(false))
            {
                var elapsed = clock.Elapsed;
                var (messages, events) = (Interlocked.Read(ref _messages), Interlocked.Read(ref _events));
                var seconds = (elapsed - lastElapsed).TotalSeconds;
                _output.WriteLine($"[{elapsed.TotalSeconds,6:F1}s] {Units.Rate((messages - lastMessages) / seconds),9} msg/s " +
                                  $"{Units.Rate((events - lastEvents) / seconds),10} ev/s  total {Units.Count(messages),11} msg {Units.Count(events),12} ev");
                _output.Flush();
                (lastMessages, lastEvents, lastElapsed) = (messages, events, elapsed);
                if (_plan.Idle > TimeSpan.Zero && messages > 0 &&
                    Ticks(clock.ElapsedTicks - Volatile.Read(ref _lastArrival)) >= _plan.Idle)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (!interrupted.IsCancellationRequested || stop.IsCancellationRequested)
        {
        }

        if (channel.IsOpen)
        {
            await channel.BasicCancelAsync(tag, noWait: false, CancellationToken.None).ConfigureAwait(false);
        }

        return Summary(clock.Elapsed);
    }

    private int Summary(TimeSpan elapsed)
    {
        var (messages, events) = (Interlocked.Read(ref _messages), Interlocked.Read(ref _events));
        var span = messages > 1 ? Ticks(Volatile.Read(ref _lastArrival) - Volatile.Read(ref _firstArrival)) : TimeSpan.Zero;
        _output.WriteLine();
        _output.WriteLine($"--- summary: rabbitmq-drain {_plan.Queue} ---");
        _output.WriteLine($"running time   {Units.Seconds(elapsed)}");
        _output.WriteLine($"messages       {messages}");
        _output.WriteLine($"events         {events}");
        if (span > TimeSpan.Zero)
        {
            _output.WriteLine($"first to last  {Units.Seconds(span)}: {Units.Rate(messages / span.TotalSeconds)} msg/s, {Units.Rate(events / span.TotalSeconds)} events/s");
        }

        if (_plan.Events > 0 && events < _plan.Events)
        {
            _output.WriteLine($"note: {Units.Count(events)} of {Units.Count(_plan.Events)} events arrived before the run ended.");
            return 1;
        }

        return 0;
    }

    /// <summary>Batch mode: the header the sink writes (an AMQP int); Event mode and anything else: one.</summary>
    private static long EventCount(IReadOnlyBasicProperties properties) =>
        properties.Headers is { } headers && headers.TryGetValue("x-event-count", out var value)
            ? value switch
            {
                int i => i,
                long l => l,
                short s => s,
                byte b => b,
                uint u => u,
                byte[] text when long.TryParse(Encoding.ASCII.GetString(text), out var parsed) => parsed,
                _ => 1,
            }
            : 1;

    private static TimeSpan Ticks(long stopwatchTicks) =>
        TimeSpan.FromTicks((long)(stopwatchTicks * (TimeSpan.TicksPerSecond / (double)Stopwatch.Frequency)));

    internal static string Redacted(Uri uri) =>
        $"{uri.Scheme}://{(uri.UserInfo.Length > 0 ? uri.UserInfo.Split(':')[0] + "@" : "")}{uri.Host}:{(uri.IsDefaultPort ? 5672 : uri.Port)}{uri.AbsolutePath}";

    private static string Inner(Exception ex)
    {
        while (ex.InnerException is not null)
        {
            ex = ex.InnerException;
        }

        return ex.Message;
    }
}
