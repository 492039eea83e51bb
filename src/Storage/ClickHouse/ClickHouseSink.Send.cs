using Pipeline.Blocks.Graph;
using Pipeline.Storage.ClickHouse.Internal;
using Pipeline.Storage.Spool;

namespace Pipeline.Storage.ClickHouse;

public sealed partial class ClickHouseSink
{
    /// <summary>
    /// Sends one INSERT with retries (exponential backoff, jitter) and counts it written on HTTP 200;
    /// spools it when ClickHouse does not acknowledge, or when earlier INSERTs are spooled already.
    /// </summary>
    private async Task SendAsync(PendingInsert insert)
    {
        using (insert)
        {
            lock (_modeGate)
            {
                if (_spooling)
                {
                    ToSpool(insert);
                    return;
                }
            }

            try
            {
                await _retry.ExecuteAsync(static async (state, ct) =>
                        await state.Self.InsertAsync(state.Insert.Payload, state.Insert.Format, ct).ConfigureAwait(false),
                    (Self: this, Insert: insert), CancellationToken.None).ConfigureAwait(false);
                Acknowledged(insert.Rows, insert.Length);
                _downLogged = false;
                _health = SinkHealth.Healthy;
            }
            catch (Exception ex) when (ClickHouseErrors.IsRejectedData(ex))
            {
                Rejected(insert.Rows, ex);
            }
            catch (Exception ex)
            {
                _metrics.Error("insert");
                if (!_downLogged)
                {
                    _downLogged = true;
                    ClickHouseLog.Spooling(_logger, _endpoint.Description, insert.Rows, _options.InsertAttempts, ClickHouseErrors.Describe(ex), SpoolDescription);
                }

                lock (_modeGate)
                {
                    ToSpool(insert);
                }
            }
        }
    }

    /// <summary>Appends to the spool and makes sure the replay runs. Called under <see cref="_modeGate"/>.</summary>
    private void ToSpool(PendingInsert insert)
    {
        _spooling = true;
        EnsureReplay();
        try
        {
            _spool.Append((ushort)insert.Format, insert.Rows, insert.Payload.Span);
            _spooled.Inc(insert.Rows);
            _health = SinkHealth.Spooling;
            _spoolFullLogged = false;
            InsertSpooled?.Invoke(insert.Rows);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Full (or its disk failed): these events are lost to ClickHouse — counted, said once,
            // and /readyz turns not ready. The rolling files still hold them.
            var reason = ex is SpoolFullException ? "spool_full" : "spool_failed";
            _metrics.Error("spool");
            _metrics.Discarded(reason, insert.Rows);
            _health = SinkHealth.Failed;
            if (!_spoolFullLogged)
            {
                _spoolFullLogged = true;
                ClickHouseLog.SpoolFull(_logger, ex.Message + " (Pipeline:Sinks:ClickHouse:Spool:MaxBytes)", insert.Rows);
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
    /// Sends the oldest spooled INSERT until ClickHouse takes it, removes it after HTTP 200, and so
    /// on until the spool is empty; then new INSERTs go straight to ClickHouse again.
    /// </summary>
    private async Task ReplayAsync()
    {
        var delay = _options.RetryDelay;
        long rows = 0;
        long inserts = 0;
        while (!_stopping.IsCancellationRequested)
        {
            SpoolRecord? peeked;
            lock (_modeGate)
            {
                if (!_spool.TryPeek(out peeked))
                {
                    _spooling = false;
                    _replay = null;
                    _health = SinkHealth.Healthy;

                    _downLogged = false;
                    if (inserts > 0)
                    {
                        ClickHouseLog.Recovered(_logger, _endpoint.Description, rows, inserts);
                    }

                    return;
                }
            }

            using (var record = peeked!)
            {
                try
                {
                    await InsertAsync(record.Payload, (PayloadFormat)record.Format, _stopping.Token).ConfigureAwait(false);
                    _spool.Acknowledge(record);
                    Acknowledged(record.Rows, record.Length);
                    rows += record.Rows;
                    inserts++;
                    delay = _options.RetryDelay;
                    continue;
                }
                catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex) when (ClickHouseErrors.IsRejectedData(ex))
                {
                    _spool.Acknowledge(record);
                    Rejected(record.Rows, ex);
                    continue;
                }
                catch (ClickHouseSchemaException ex)
                {
                    // Said once per outage, not at every probe; /readyz shows it meanwhile.
                    if (_health != SinkHealth.Failed)
                    {
                        ClickHouseLog.SchemaMismatch(_logger, ex.Message);
                    }

                    _health = SinkHealth.Failed;
                }
                catch (Exception ex)
                {
                    _metrics.Error("replay");
                    ClickHouseLog.ReplayFailed(_logger, ClickHouseErrors.Describe(ex), delay);
                }
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

    private async Task InsertAsync(ReadOnlyMemory<byte> payload, PayloadFormat format, CancellationToken cancellationToken)
    {
        try
        {
            await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
            await _endpoint.InsertAsync(_table, ClickHouseSchema.InsertColumns(_layout!.Layout), payload, format, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ClickHouseErrors.IsSchemaGone(ex))
        {
            _layout = null;
            throw;
        }
    }

    private void Acknowledged(int rows, int bytes)
    {
        _reached = true;
        _written.Inc(rows);
        _bytes.Inc(bytes);
        _metrics.Out.Inc(rows);
        Interlocked.Increment(ref _insertsWritten);
        InsertAcknowledged?.Invoke(rows);
    }

    private void Rejected(int rows, Exception ex)
    {
        _metrics.Error("insert");
        _metrics.Discarded("rejected", rows);
        ClickHouseLog.Rejected(_logger, rows, ClickHouseErrors.Describe(ex));
    }

    /// <summary>Between half and all of <paramref name="delay"/>, so many pipelines do not probe in step.</summary>
    private static TimeSpan Jitter(TimeSpan delay) => TimeSpan.FromTicks((long)(delay.Ticks * (0.5 + (Random.Shared.NextDouble() * 0.5))));
}
