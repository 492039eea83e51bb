using Pipeline.Blocks.Graph;
using Pipeline.Storage.ClickHouse.Internal;

namespace Pipeline.Storage.ClickHouse;

public sealed partial class ClickHouseSink
{
    /// <summary>Sends one INSERT with retries (exponential backoff, jitter); counts it written only on HTTP 200.</summary>
    private async Task SendAsync(PendingInsert insert)
    {
        using (insert)
        {
            while (true)
            {
                try
                {
                    await _retry.ExecuteAsync(static async (state, ct) => await state.Self.InsertAsync(state.Insert, ct).ConfigureAwait(false),
                        (Self: this, Insert: insert), CancellationToken.None).ConfigureAwait(false);
                    Acknowledged(insert);
                    _health = SinkHealth.Healthy;
                    return;
                }
                catch (Exception ex) when (ClickHouseErrors.IsRejectedData(ex))
                {
                    _metrics.Error("insert");
                    _metrics.Discarded("rejected", insert.Rows);
                    ClickHouseLog.Rejected(_logger, insert.Rows, ClickHouseErrors.Describe(ex));
                    return;
                }
                catch (Exception ex)
                {
                    _metrics.Error("insert");
                    _health = SinkHealth.Spooling;
                    ClickHouseLog.Spooling(_logger, _endpoint.Description, insert.Rows, _options.InsertAttempts, ClickHouseErrors.Describe(ex), SpoolDescription);
                    await Task.Delay(_options.RetryMaxDelay, _time).ConfigureAwait(false);
                }
            }
        }
    }

    private async Task InsertAsync(PendingInsert insert, CancellationToken cancellationToken)
    {
        try
        {
            await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
            await _endpoint.InsertAsync(_table, ClickHouseSchema.InsertColumns(_layout!.Layout), insert.Payload, insert.Format, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ClickHouseErrors.IsSchemaGone(ex))
        {
            _layout = null;
            throw;
        }
    }

    private void Acknowledged(PendingInsert insert)
    {
        _written.Inc(insert.Rows);
        _bytes.Inc(insert.Length);
        _metrics.Out.Inc(insert.Rows);
        Interlocked.Increment(ref _insertsWritten);
        InsertAcknowledged?.Invoke(insert.Rows);
    }
}
