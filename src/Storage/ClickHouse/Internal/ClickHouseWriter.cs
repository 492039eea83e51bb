using Microsoft.Extensions.Logging;
using Pipeline.Storage.Sinks;

namespace Pipeline.Storage.ClickHouse.Internal;

/// <summary>
/// The ClickHouse sink's I/O: sets the schema up (once, again after the table went away) and sends
/// one INSERT body per batch. HTTP 200 is the acknowledgement; a body the server refused as
/// malformed is <see cref="SinkRejectedException"/> (never retried); a table that does not fit is
/// <see cref="ClickHouseSchemaException"/>.
/// </summary>
internal sealed class ClickHouseWriter : IBatchSink
{
    private readonly ClickHouseSinkOptions _options;
    private readonly ClickHouseEndpoint _endpoint;
    private readonly ILogger _logger;
    private readonly string _table;
    private readonly SemaphoreSlim _schemaGate = new(1, 1);
    private volatile LayoutBox? _layout;

    /// <summary>The table's layout once the schema is set up; null until then and after the table went away.</summary>
    private sealed record LayoutBox(SchemaLayout Layout);

    public ClickHouseWriter(ClickHouseSinkOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
        _endpoint = new ClickHouseEndpoint(options.ConnectionString ?? throw new ArgumentException("ConnectionString is not set.", nameof(options)), options.RequestTimeout);
        _table = ClickHouseSchema.QualifiedName(options.Database, options.Table);
    }

    public string Name => "clickhouse";

    public string Destination => "ClickHouse at " + _endpoint.Description;

    public Task CheckHealthAsync(CancellationToken cancellationToken) => EnsureSchemaAsync(cancellationToken);

    public async Task WriteAsync(SinkBatch batch, CancellationToken cancellationToken)
    {
        try
        {
            await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
            await _endpoint.InsertAsync(_table, ClickHouseSchema.InsertColumns(_layout!.Layout), batch.Payload, (PayloadFormat)batch.Format, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception ex) when (ClickHouseErrors.IsRejectedData(ex))
        {
            throw new SinkRejectedException("rejected", "ClickHouse refused the INSERT as malformed: " + ClickHouseErrors.Describe(ex), ex);
        }
        catch (Exception ex) when (ClickHouseErrors.IsSchemaGone(ex))
        {
            _layout = null;
            throw;
        }
    }

    public string Describe(Exception error) => ClickHouseErrors.Describe(error);

    public ValueTask DisposeAsync()
    {
        _endpoint.Dispose();
        _schemaGate.Dispose();
        return default;
    }

    private async Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        if (_layout is not null)
        {
            return;
        }

        await _schemaGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_layout is null)
            {
                var (layout, version) = await SchemaSetup.EnsureAsync(_endpoint, _options, cancellationToken).ConfigureAwait(false);
                _layout = new LayoutBox(layout);
                ClickHouseLog.Ready(_logger, _endpoint.Description, version, _options.Database, _options.Table, layout.ToString());
            }
        }
        finally
        {
            _schemaGate.Release();
        }
    }
}
