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

        try
        {
            Append(encoder, batch);
            var sealedBatch = encoder.Seal();
            if (sealedBatch is not null)
            {
                sealedBatch.CreatedTimestamp = _time.GetTimestamp();
            }

            return sealedBatch;
        }
        finally
        {
            _encoders.Add(encoder);
        }
    }

    /// <summary>
    /// Accumulating mode: encodes batches into the pending one and seals it at a count, byte or age
    /// limit. One loop, so the encoder needs no locks; while the writer is busy it waits in
    /// <c>SendAsync</c>, the input fills and the fan-out slows down.
    /// </summary>
    private async Task AccumulateAsync(BufferBlock<EventBatch> input)
    {
        var encoder = _encoderFactory();
        _encoders.Add(encoder); // disposed with the others when the runner stops
        long first = 0;
        while (true)
        {
            while (input.TryReceive(out var batch))
            {
                var empty = encoder.PendingEvents == 0;
                Append(encoder, batch);
                if (empty && encoder.PendingEvents > 0)
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

    private void Append(IBatchEncoder encoder, EventBatch batch)
    {
        try
        {
            _metrics.In.Inc(batch.Count);
            if (batch.Count > 0)
            {
                encoder.Append(batch);
            }
        }
        catch (Exception ex)
        {
            // Cannot happen with parsed batches; if it does, the batch is counted, not the graph faulted.
            _metrics.Error("encode");
            Discard("encode_failed", batch.Count);
            SinkRunnerLog.EncodeFailed(_logger, ex, Name, batch.Count);
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
        if (!await _write.SendAsync(sealedBatch).ConfigureAwait(false))
        {
            Discard("sink_failed", sealedBatch.Events);
            sealedBatch.Dispose();
        }
    }
}
