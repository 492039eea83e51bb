using System.Threading.Tasks.Dataflow;
using Pipeline.Blocks.Events;
using Pipeline.Storage.ClickHouse.Internal;

namespace Pipeline.Storage.ClickHouse;

public sealed partial class ClickHouseSink
{
    /// <summary>
    /// Encodes batches into the pending INSERT and hands it to the sender when a limit is reached.
    /// One loop, so the encoder and buffer need no locks; while the sender is busy it waits in
    /// <c>SendAsync</c>, the input fills and the fan-out slows down.
    /// </summary>
    private async Task AccumulateAsync()
    {
        var encoder = new RowBinaryEncoder();
        using var buffer = new InsertBuffer(_format);
        while (true)
        {
            while (_input.TryReceive(out var batch))
            {
                Encode(encoder, buffer, batch);
                if (buffer.Rows >= _options.BatchMaxRows || buffer.RawBytes >= _options.BatchMaxBytes)
                {
                    await FlushAsync(buffer).ConfigureAwait(false);
                }
            }

            if (buffer.Rows == 0)
            {
                if (!await _input.OutputAvailableAsync().ConfigureAwait(false))
                {
                    break;
                }

                continue;
            }

            var remaining = _options.BatchMaxDelay - _time.GetElapsedTime(buffer.FirstRowTimestamp);
            if (remaining <= TimeSpan.Zero)
            {
                await FlushAsync(buffer).ConfigureAwait(false);
                continue;
            }

            using var cancel = new CancellationTokenSource();
            var available = _input.OutputAvailableAsync(cancel.Token);
            var due = Task.Delay(remaining, _time, cancel.Token);
            OnWaitingForBatchDelay?.Invoke();
            var first = await Task.WhenAny(available, due).ConfigureAwait(false);
            await cancel.CancelAsync().ConfigureAwait(false);
            if (first == available && !await available.ConfigureAwait(false))
            {
                break; // input completed and drained
            }
        }

        if (buffer.Rows > 0)
        {
            await FlushAsync(buffer).ConfigureAwait(false);
        }
    }

    private void Encode(RowBinaryEncoder encoder, InsertBuffer buffer, EventBatch batch)
    {
        try
        {
            _metrics.In.Inc(batch.Count);
            var empty = buffer.Rows == 0;
            encoder.Encode(batch, buffer);
            if (empty && buffer.Rows > 0)
            {
                buffer.FirstRowTimestamp = _time.GetTimestamp();
            }
        }
        catch (Exception ex)
        {
            // Cannot happen with parsed batches; if it does, the batch is counted, not the graph faulted.
            _metrics.Error("encode");
            _metrics.Discarded("encode_failed", batch.Count);
            ClickHouseLog.EncodeFailed(_logger, ex, batch.Count);
        }
        finally
        {
            batch.Release();
        }
    }

    private async Task FlushAsync(InsertBuffer buffer)
    {
        var insert = buffer.Seal();
        if (!await _send.SendAsync(insert).ConfigureAwait(false))
        {
            _metrics.Discarded("sink_failed", insert.Rows);
            insert.Dispose();
        }
    }
}
