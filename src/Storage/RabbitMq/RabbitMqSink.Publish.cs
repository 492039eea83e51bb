using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Pipeline.Blocks.DeadLetters;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Parse;
using Pipeline.Storage.RabbitMq.Internal;
using Pipeline.Storage.Sinks;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Pipeline.Storage.RabbitMq;

public sealed partial class RabbitMqSink
{
    /// <summary>
    /// Publishes in windows of <see cref="RabbitMqSinkOptions.OutstandingConfirms"/>, awaiting every
    /// confirm of a window before the next; stops after a window with a failure other than a return.
    /// Returns why the connection must be torn down, or null.
    /// </summary>
    private async Task<string?> PublishAllAsync(IChannel channel, SinkBatch batch, PublishState state, PublishOutcome[] outcomes, CancellationToken cancellationToken)
    {
        var payload = batch.Payload;
        var window = _options.OutstandingConfirms;
        var pending = new List<(int Index, Task Task)>(Math.Min(window, _messages.Count));
        string? broken = null;
        for (var start = 0; start < _messages.Count && broken is null; start += window)
        {
            var end = Math.Min(start + window, _messages.Count);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(_options.PublishTimeout);
            pending.Clear();
            var failed = false;
            for (var i = start; i < end; i++)
            {
                if (state.Returns[i] >= _options.UnroutableAttempts)
                {
                    outcomes[i] = PublishOutcome.Unroutable;
                    continue;
                }

                var m = _messages[i];
                var span = payload.Span;
                try
                {
                    var task = channel.BasicPublishAsync(MessageFormat.Text(span, m.Exchange), MessageFormat.Text(span, m.RoutingKey),
                        mandatory: true, Properties(span, m), payload[m.Body], deadline.Token).AsTask();
                    pending.Add((i, task));
                }
                catch (Exception ex)
                {
                    outcomes[i] = Classify(ex, cancellationToken);
                    failed = true;
                    break;
                }
            }

            foreach (var (index, task) in pending)
            {
                try
                {
                    await task.ConfigureAwait(false);
                    outcomes[index] = PublishOutcome.Confirmed;
                }
                catch (Exception ex)
                {
                    outcomes[index] = Classify(ex, cancellationToken);
                    failed |= outcomes[index] != PublishOutcome.Returned;
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (failed)
            {
                for (var i = start; i < end; i++)
                {
                    if (outcomes[i] is PublishOutcome.TimedOut or PublishOutcome.Closed)
                    {
                        broken = outcomes[i] == PublishOutcome.TimedOut
                            ? $"no confirm within {_options.PublishTimeout.TotalSeconds:0.###} s"
                            : "channel closed";
                        break;
                    }
                }

                if (broken is null)
                {
                    // Nacks (a full queue with reject-publish): the channel is fine, but the rest would
                    // only be nacked too; the runner's backoff decides when to try again.
                    break;
                }
            }
        }

        return broken;
    }

    private static PublishOutcome Classify(Exception ex, CancellationToken cancellationToken) => ex switch
    {
        PublishReturnException => PublishOutcome.Returned,
        PublishException { IsReturn: true } => PublishOutcome.Returned,
        PublishException => PublishOutcome.Nacked,
        OperationCanceledException when !cancellationToken.IsCancellationRequested => PublishOutcome.TimedOut,
        _ => PublishOutcome.Closed,
    };

    private static BasicProperties Properties(ReadOnlySpan<byte> payload, RabbitMqMessage m)
    {
        var headers = new Dictionary<string, object?>(6);
        if (m.RobotId.GetOffsetAndLength(payload.Length).Length > 0)
        {
            headers["x-robot-id"] = MessageFormat.Text(payload, m.RobotId);
        }

        if (m.Level != MessageFormat.MixedLevel)
        {
            headers["x-level"] = Encoding.ASCII.GetString(LevelParser.Name((EventLevel)m.Level));
        }

        if (m.LevelCode >= 0)
        {
            headers["x-level-code"] = (int)m.LevelCode;
        }

        if (m.TemplateId != 0)
        {
            // A string: template ids use all 64 bits, and AMQP tables have no unsigned 64-bit type.
            headers["x-template-id"] = m.TemplateId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var properties = new BasicProperties { DeliveryMode = DeliveryModes.Persistent, Headers = headers };
        if (m.Kind == MessageKind.Json)
        {
            properties.ContentType = "application/json";
        }
        else
        {
            properties.ContentType = "application/x-ndjson";
            properties.ContentEncoding = "lz4";
            headers["x-event-count"] = m.Events;
        }

        return properties;
    }

    /// <summary>
    /// Keeps in the batch what was not confirmed and throws; dead-letters what came back unroutable
    /// too often, as a <see cref="SinkRejectedException"/> once nothing else is left (so the runner
    /// counts those events discarded, not written).
    /// </summary>
    private void Settle(SinkBatch batch, PublishState state, PublishOutcome[] outcomes, string? broken)
    {
        int nacked = 0, returned = 0, timedOut = 0, closed = 0, notSent = 0, unroutable = 0;
        for (var i = 0; i < outcomes.Length; i++)
        {
            switch (outcomes[i])
            {
                case PublishOutcome.Returned:
                    returned++;
                    if (++state.Returns[i] >= _options.UnroutableAttempts)
                    {
                        outcomes[i] = PublishOutcome.Unroutable;
                        unroutable++;
                        returned--;
                    }

                    break;
                case PublishOutcome.Unroutable: unroutable++; break;
                case PublishOutcome.Nacked: nacked++; break;
                case PublishOutcome.TimedOut: timedOut++; break;
                case PublishOutcome.Closed: closed++; break;
                case PublishOutcome.NotSent: notSent++; break;
            }
        }

        var left = nacked + returned + timedOut + closed + notSent;
        if (left == 0 && unroutable == 0)
        {
            return;
        }

        if (left == 0)
        {
            // Only the dead-lettered part is left: the runner counts it discarded with this reason.
            var first = DeadLetter(batch, outcomes);
            Keep(batch, state, outcomes, keepUnroutable: true, keepOthers: false);
            throw new SinkRejectedException(DiscardReasons.Unroutable,
                $"{unroutable} message(s) came back unroutable {_options.UnroutableAttempts} time(s) (first: {first}): no queue is bound for their routing key.");
        }

        Keep(batch, state, outcomes, keepUnroutable: true, keepOthers: true);
        throw new RabbitMqPublishException(
            $"{Destination}: {outcomes.Length - left - unroutable} of {outcomes.Length} message(s) confirmed; not confirmed: " +
            $"{nacked} nacked, {returned} returned unroutable, {timedOut} without a confirm within {_options.PublishTimeout.TotalSeconds:0.###} s, " +
            $"{closed} on a closed channel, {notSent} not sent" + (broken is null ? "." : $" (connection torn down: {broken})."));
    }

    private string DeadLetter(SinkBatch batch, PublishOutcome[] outcomes)
    {
        var payload = batch.Payload.Span;
        string? first = null;
        int messages = 0, events = 0;
        for (var i = 0; i < outcomes.Length; i++)
        {
            if (outcomes[i] != PublishOutcome.Unroutable)
            {
                continue;
            }

            var m = _messages[i];
            first ??= $"exchange '{MessageFormat.Text(payload, m.Exchange)}', key '{MessageFormat.Text(payload, m.RoutingKey)}'";
            _deadLetters.Write(Name, DiscardReasons.Unroutable, SourceConnection.Unknown, payload[m.Body]);
            messages++;
            events += m.Events;
        }

        var firstMessage = _messages[Array.IndexOf(outcomes, PublishOutcome.Unroutable)];
        RabbitMqLog.DeadLettered(_logger, messages, events, _options.UnroutableAttempts,
            MessageFormat.Text(payload, firstMessage.Exchange), MessageFormat.Text(payload, firstMessage.RoutingKey));
        return first!;
    }

    /// <summary>Replaces the batch's payload with the messages that are kept, in order, and realigns <paramref name="state"/>.</summary>
    private void Keep(SinkBatch batch, PublishState state, PublishOutcome[] outcomes, bool keepUnroutable, bool keepOthers)
    {
        var payload = batch.Payload.Span;
        var bytes = 0;
        var count = 0;
        for (var i = 0; i < outcomes.Length; i++)
        {
            if (Kept(outcomes[i], keepUnroutable, keepOthers))
            {
                bytes += _messages[i].Length;
                count++;
            }
        }

        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(bytes, 1));
        var returns = new PublishState(count);
        var at = 0;
        var events = 0;
        var k = 0;
        for (var i = 0; i < outcomes.Length; i++)
        {
            if (!Kept(outcomes[i], keepUnroutable, keepOthers))
            {
                continue;
            }

            var m = _messages[i];
            payload.Slice(m.Offset, m.Length).CopyTo(buffer.AsSpan(at));
            at += m.Length;
            events += m.Events;
            returns.Returns[k++] = state.Returns[i];
        }

        batch.Replace(buffer, at, events);
        batch.State = returns;
    }

    private static bool Kept(PublishOutcome outcome, bool keepUnroutable, bool keepOthers) => outcome switch
    {
        PublishOutcome.Confirmed => false,
        PublishOutcome.Unroutable => keepUnroutable,
        _ => keepOthers,
    };
}
