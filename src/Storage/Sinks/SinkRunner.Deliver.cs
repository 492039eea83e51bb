using Pipeline.Blocks.Graph;
using Pipeline.Storage.Resilience;
using Pipeline.Storage.Spool;
using Polly;

namespace Pipeline.Storage.Sinks;

public sealed partial class SinkRunner
{
    /// <summary>
    /// Writes one sealed batch with retries and counts it written when the destination acknowledged
    /// it; spools it when it did not (or when earlier batches are spooled already), or without a
    /// spool counts it discarded.
    /// </summary>
    private async Task DeliverAsync(SinkBatch? batch)
    {
        if (batch is null)
        {
            return;
        }

        using (batch)
        {
            lock (_modeGate)
            {
                if (_spooling)
                {
                    ToSpool(batch);
                    batch.Ack?.MarkLost();
                    batch.Ack = null;
                    return;
                }
            }

            _pending = batch;
            try
            {
                await _retry.ExecuteAsync(static (state, ct) => new ValueTask(state.WriteOnceAsync(state._pending!, ct)), this, CancellationToken.None)
                    .ConfigureAwait(false);
            }
            catch (Exception) when (batch.Events == 0)
            {
                // Partial progress reached the end (say, the last messages were dead-lettered): nothing is left to keep.
            }
            catch (SinkRejectedException ex)
            {
                Rejected(batch.Events, ex);
            }
            catch (Exception ex)
            {
                if (_spool is null)
                {
                    _health = SinkHealth.Failed;
                    Discard(_options.FailedReason, batch.Events);
                    SinkRunnerLog.Discarding(_logger, Name, batch.Events, _options.Attempts, _sink.Describe(ex), _options.FailedReason);
                    return;
                }

                if (!_downLogged)
                {
                    _downLogged = true;
                    SinkRunnerLog.Spooling(_logger, Name, _sink.Destination, batch.Events, _options.Attempts, _sink.Describe(ex), _spool.DirectoryPath);
                }

                lock (_modeGate)
                {
                    ToSpool(batch);
                }
            }
            finally
            {
                _pending = null;
                // Discarded, rejected or spooled: its robots are not acknowledged for it and re-send.
                batch.Ack?.MarkLost();
                batch.Ack = null;
            }
        }
    }

    /// <summary>The batch being written; only the single writer touches it.</summary>
    private SinkBatch? _pending;

    private async Task WriteOnceAsync(SinkBatch batch, CancellationToken cancellationToken)
    {
        var (events, bytes) = await AttemptAsync(batch, cancellationToken).ConfigureAwait(false);
        Written(events, bytes);
    }

    /// <summary>
    /// One attempt; returns what was acknowledged for the caller to count (after a replay, only once
    /// the spool record is gone). Partial progress before a failure is counted here.
    /// </summary>
    private async Task<(int Events, int Bytes)> AttemptAsync(SinkBatch batch, CancellationToken cancellationToken)
    {
        var events = batch.Events;
        var bytes = batch.Length;
        try
        {
            await _sink.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
            _downLogged = false;
            _health = SinkHealth.Healthy;
            return (events, bytes);
        }
        catch (Exception ex)
        {
            if (batch.Events < events)
            {
                Written(events - batch.Events, Math.Max(0, bytes - batch.Length));
            }

            if (ex is not SinkRejectedException && !(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                _metrics.Error(_options.WriteStage);
                SinkRunnerLog.AttemptFailed(_logger, Name, _sink.Describe(ex));
                if (_spool is null)
                {
                    _health = SinkHealth.Failed;
                }
            }

            throw;
        }
    }

    /// <summary>Appends to the spool and makes sure the replay runs. Called under <see cref="_modeGate"/>.</summary>
    private void ToSpool(SinkBatch batch)
    {
        if (_spool is null)
        {
            Discard(_options.FailedReason, batch.Events);
            return;
        }

        _spooling = true;
        EnsureReplay();
        try
        {
            _spool.Append(batch.Format, batch.Events, batch.Payload.Span);
            _spooled.Inc(batch.Events);
            if (_health != SinkHealth.Failed)
            {
                _health = SinkHealth.Spooling;
            }

            _spoolFullLogged = false;
            Spooled?.Invoke(batch.Events);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Full (or its disk failed): these events are lost to this destination — counted, said
            // once, and /readyz turns not ready. The other sinks (the rolling files) still hold them.
            var reason = ex is SpoolFullException ? "spool_full" : "spool_failed";
            _metrics.Error("spool");
            Discard(reason, batch.Events);
            _health = SinkHealth.Failed;
            if (!_spoolFullLogged)
            {
                _spoolFullLogged = true;
                SinkRunnerLog.SpoolFull(_logger, Name, ex.Message, $"{_options.KeyPrefix}:Spool:MaxBytes", batch.Events, reason);
            }
        }
    }

    private void EnsureReplay()
    {
        if (_replay is null && !_stopping.IsCancellationRequested)
        {
            _replay = Task.Run(ReplayAsync);
        }
    }

    /// <summary>
    /// Sends the oldest spooled batch until the destination takes it, removes it only then, and so on
    /// until the spool is empty; then new batches go straight to the destination again.
    /// </summary>
    private async Task ReplayAsync()
    {
        var delay = _options.RetryDelay;
        long events = 0;
        long batches = 0;
        while (!_stopping.IsCancellationRequested)
        {
            SpoolRecord? peeked;
            lock (_modeGate)
            {
                if (!_spool!.TryPeek(out peeked))
                {
                    _spooling = false;
                    _replay = null;
                    _health = SinkHealth.Healthy;
                    _downLogged = false;
                    if (batches > 0)
                    {
                        SinkRunnerLog.Recovered(_logger, Name, _sink.Destination, events, batches);
                    }

                    return;
                }
            }

            // One in-memory batch per record for all its attempts: partial progress (messages already
            // confirmed) is not sent again while the process lives; the record leaves the spool at the end.
            using var record = peeked!;
            using var batch = new SinkBatch(record.DetachBuffer(), record.Length, record.Rows, record.Format);
            while (true)
            {
                try
                {
                    var (written, bytes) = await AttemptAsync(batch, _stopping.Token).ConfigureAwait(false);
                    if (!await RemoveFromSpoolAsync(record, emptyEndsSpooling: true).ConfigureAwait(false))
                    {
                        return; // stopping: the record stays, and is sent again at the next start (at-least-once)
                    }

                    Written(written, bytes);
                    events += record.Rows;
                    batches++;
                    delay = _options.RetryDelay;
                    break;
                }
                catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception) when (batch.Events == 0)
                {
                    await RemoveFromSpoolAsync(record, emptyEndsSpooling: false).ConfigureAwait(false);
                    break;
                }
                catch (SinkRejectedException ex)
                {
                    Rejected(batch.Events, ex);
                    await RemoveFromSpoolAsync(record, emptyEndsSpooling: false).ConfigureAwait(false);
                    break;
                }
                catch (SinkSetupException ex)
                {
                    // Said once per outage, not at every probe; /readyz shows it meanwhile.
                    if (_health != SinkHealth.Failed)
                    {
                        SinkRunnerLog.SetupFailed(_logger, Name, ex.Message);
                    }

                    _health = SinkHealth.Failed;
                }
                catch (Exception ex)
                {
                    _retries.Inc();
                    SinkRunnerLog.ReplayFailed(_logger, Name, _sink.Describe(ex), delay);
                }

                try
                {
                    await Task.Delay(Jitter(delay), _time, _stopping.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.RetryMaxDelay.Ticks));
            }
        }
    }

    /// <summary>
    /// Removes a record the destination took (or refused for good). A spool that cannot remove it (its
    /// disk failing) is retried with backoff rather than the record being sent again; false only when
    /// stopping first. With <paramref name="emptyEndsSpooling"/>, new batches go direct again once it is empty.
    /// </summary>
    private async Task<bool> RemoveFromSpoolAsync(SpoolRecord record, bool emptyEndsSpooling)
    {
        var delay = _options.RetryDelay;
        while (true)
        {
            try
            {
                lock (_modeGate)
                {
                    _spool!.Acknowledge(record);
                    if (emptyEndsSpooling && _spool.IsEmpty)
                    {
                        // Switch before counting: whoever sees the count and sends more finds the sink direct again.
                        _spooling = false;
                    }
                }

                return true;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _metrics.Error("spool");
                _health = SinkHealth.Failed;
                SinkRunnerLog.SpoolAcknowledgeFailed(_logger, Name, ex.Message, delay);
            }

            try
            {
                await Task.Delay(delay, _time, _stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return false;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.RetryMaxDelay.Ticks));
        }
    }

    private void Written(int events, int bytes)
    {
        _reached = true;
        _written.Inc(events);
        _bytes.Inc(bytes);
        _metrics.Out.Inc(events);
        Interlocked.Add(ref _writtenEvents, events);
        Interlocked.Increment(ref _writtenBatches);
        Acknowledged?.Invoke(events);
    }

    private void Rejected(int events, SinkRejectedException ex)
    {
        _metrics.Error(_options.WriteStage);
        Discard(ex.Reason, events);
        SinkRunnerLog.Rejected(_logger, Name, events, ex.Reason, _sink.Describe(ex));
    }

    private void Discard(string reason, int events)
    {
        _metrics.Discarded(reason, events);
        Interlocked.Add(ref _discardedEvents, events);
    }

    /// <summary>Between half and all of <paramref name="delay"/>, so many pipelines do not probe in step.</summary>
    private TimeSpan Jitter(TimeSpan delay) =>
        _options.Jitter ? TimeSpan.FromTicks((long)(delay.Ticks * (0.5 + (Random.Shared.NextDouble() * 0.5)))) : delay;

    private ResiliencePipeline BuildRetry(SinkRunnerOptions options, TimeProvider time) =>
        RetryPipelineFactory.Create(options.Attempts, options.RetryDelay, options.RetryMaxDelay, options.Jitter, time,
            ex => ex is not (SinkRejectedException or SinkSetupException) && _pending is { Events: > 0 },
            () => _retries.Inc());
}
