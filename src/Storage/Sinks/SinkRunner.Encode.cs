using System.Threading.Tasks.Dataflow;
using Pipeline.Blocks.Events;

namespace Pipeline.Storage.Sinks;

public sealed partial class SinkRunner
{
    /// <summary>Parallel mode: one event batch into one sealed batch, on whichever encoder is free.</summary>
    private SinkBatch? EncodeOne(EventBatch batch)
    {
        if (!_encoders.TryTake(out var encoder))
        {
            encoder = _encoderFactory();
        }

        // The durable sink's claim comes before Append, which releases the event batch (whose return to the pool would lose it).
        var token = _durable is not null && batch.Ack is { } ack && ack.TryClaim() ? ack : null;
        if (!Append(encoder, batch, pendingBefore: 0))
        {
            // Whatever the failed Append left behind must not be sealed: the encoder goes, not back to the pool.
            encoder.Dispose();
            token?.MarkLost();
            return null;
        }

        var sealedBatch = encoder.Seal();
        _encoders.Add(encoder);
        if (sealedBatch is not null)
        {
            sealedBatch.CreatedTimestamp = _time.GetTimestamp();
            sealedBatch.Ack = token;
        }
        else if (token is not null)
        {
            _durable!.AwaitSync(token);
        }

        return sealedBatch;
    }

    /// <summary>
    /// Accumulating mode: encodes batches into the pending one and seals it at a count, byte or age
    /// limit. One loop, so the encoder needs no locks; while the writer is busy it waits in
    /// <c>SendAsync</c>, the input fills and the fan-out slows down.
    /// </summary>
    private async Task AccumulateAsync(BufferBlock<EventBatch> input)
    {
        var encoder = _encoderFactory();
        try
        {
            await AccumulateLoopAsync(input, encoder).ConfigureAwait(false);
        }
        finally
        {
            _accumulator?.Dispose();
        }
    }

    private async Task AccumulateLoopAsync(BufferBlock<EventBatch> input, IBatchEncoder encoder)
    {
        _accumulator = encoder;
        long first = 0;
        while (true)
        {
            while (input.TryReceive(out var batch))
            {
                var pending = encoder.PendingEvents;
                if (!Append(encoder, batch, pending))
                {
                    // The failed encoder may hold part of the batch: it goes with what it held (counted), a new one takes over.
                    encoder.Dispose();
                    encoder = _accumulator = _encoderFactory();
                    continue;
                }

                if (pending == 0 && encoder.PendingEvents > 0)
                {
                    first = _time.GetTimestamp();
                }

                if (encoder.PendingEvents >= _options.BatchMaxEvents || encoder.PendingBytes >= _options.BatchMaxBytes)
                {
                    await SealAsync(encoder, first).ConfigureAwait(false);
                }
            }

            if (encoder.PendingEvents == 0)
            {
                if (!await input.OutputAvailableAsync().ConfigureAwait(false))
                {
                    break;
                }

                continue;
            }

            var remaining = _options.BatchMaxDelay - _time.GetElapsedTime(first);
            if (remaining <= TimeSpan.Zero)
            {
                await SealAsync(encoder, first).ConfigureAwait(false);
                continue;
            }

            using var cancel = new CancellationTokenSource();
            var available = input.OutputAvailableAsync(cancel.Token);
            var due = Task.Delay(remaining, _time, cancel.Token);
            OnWaitingForBatchDelay?.Invoke();
            var winner = await Task.WhenAny(available, due).ConfigureAwait(false);
            await cancel.CancelAsync().ConfigureAwait(false);
            if (winner == available && !await available.ConfigureAwait(false))
            {
                break; // input completed and drained
            }
        }

        await SealAsync(encoder, first).ConfigureAwait(false);
    }

    /// <summary>
    /// Appends and releases the batch. False when the encoder threw: the batch and the
    /// <paramref name="pendingBefore"/> events the encoder held are counted discarded (<c>encode_failed</c>)
    /// and the caller must drop the encoder, which may hold part of the batch.
    /// </summary>
    private bool Append(IBatchEncoder encoder, EventBatch batch, int pendingBefore)
    {
        try
        {
            _metrics.In.Inc(batch.Count);
            if (batch.Count > 0)
            {
                encoder.Append(batch);
            }

            return true;
        }
        catch (Exception ex)
        {
            // Cannot happen with parsed batches; if it does, the events are counted, not the graph faulted.
            _metrics.Error("encode");
            Discard("encode_failed", batch.Count + pendingBefore);
            SinkRunnerLog.EncodeFailed(_logger, ex, Name, batch.Count + pendingBefore);
            return false;
        }
        finally
        {
            batch.Release();
        }
    }

    private async Task SealAsync(IBatchEncoder encoder, long first)
    {
        var sealedBatch = encoder.Seal();
        if (sealedBatch is null)
        {
            return;
        }

        sealedBatch.CreatedTimestamp = first;
        var handOver = _write.SendAsync(sealedBatch);
        if (!handOver.IsCompleted)
        {
            WaitingToHandOver?.Invoke(); // the writer is busy and its queue full: from here the input fills and the fan-out waits
        }

        if (!await handOver.ConfigureAwait(false))
        {
            Discard("sink_failed", sealedBatch.Events);
            sealedBatch.Dispose();
        }
    }
}
