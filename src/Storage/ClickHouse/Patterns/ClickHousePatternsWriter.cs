using System.Buffers;
using Microsoft.Extensions.Logging;
using Pipeline.Blocks.Metrics;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Hosting;
using Pipeline.Blocks.PatternMine;
using Pipeline.Blocks.PatternMine.Anomalies;
using Pipeline.Storage.ClickHouse.Internal;

namespace Pipeline.Storage.ClickHouse.Patterns;

/// <summary>
/// Keeps the ClickHouse patterns table current: every <see cref="ClickHousePatternsOptions.Interval"/>
/// one INSERT with a row for each template whose count, last-seen time or text moved since its last
/// acknowledged row, and a last round at shutdown. Registered before the graph's service, so it stops
/// after the graph drained and the last round holds every message's template.
/// </summary>
/// <remarks>
/// State-based, not queue-based: what was last acknowledged per id is remembered, so a round that
/// fails (ClickHouse away, a bad table) leaves nothing behind; the next one writes the templates as
/// they are then. Failures are counted (<c>pipeline_component_errors_total{component="clickhouse_patterns",stage="insert"}</c>)
/// and logged once per outage. A template merged into another or evicted keeps its last row, so
/// the ids in <c>logs.template_id</c> still join. Rows carry <c>version</c>, the round's wall-clock
/// milliseconds (strictly increasing), and the table's ReplacingMergeTree keeps the highest per id.
/// It has its own <see cref="ClickHouseEndpoint"/> (same client code as the sink): the sink closes
/// its one when the graph completes, before this writer's last round.
/// </remarks>
public sealed class ClickHousePatternsWriter : ILifecycleComponent, IDisposable, IPatternObserver
{
    private const string ComponentName = "clickhouse_patterns";

    /// <summary>Merged-away templates kept for their one row while ClickHouse is away; past it they are counted and dropped.</summary>
    private const int MaxGone = 100_000;
    private readonly TemplateMiner _miner;
    private readonly ClickHouseSinkOptions _options;
    private readonly ClickHousePatternsOptions _patterns;
    private readonly ClickHouseEndpoint _endpoint;
    private readonly ComponentMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _table;
    private readonly SemaphoreSlim _round = new(1, 1);
    private readonly Dictionary<ulong, PatternRow> _written = [];
    private readonly List<PatternRow> _changed = [];
    private readonly HashSet<ulong> _present = [];
    private readonly System.Collections.Concurrent.ConcurrentQueue<PatternTemplate> _created = new();
    private readonly List<PatternTemplate> _gone = [];
    private readonly ArrayBufferWriter<byte> _payload = new(64 * 1024);
    private readonly CancellationTokenSource _stopping = new();
    private SchemaLayout? _layout;
    private PeriodicTimer? _timer;
    private Task _loop = Task.CompletedTask;
    private bool _failing;
    private ulong _version;
    private long _rowsWritten;
    private string _lastFailure = "";

    public ClickHousePatternsWriter(TemplateMiner miner, ClickHouseSinkOptions options, PipelineMetrics metrics, TimeProvider time, ILogger logger)
    {
        _miner = miner;
        _options = options;
        _patterns = options.Patterns;
        _time = time;
        _logger = logger;
        _endpoint = new ClickHouseEndpoint(options.ConnectionString ?? throw new ArgumentException("ConnectionString is not set.", nameof(options)), options.RequestTimeout);
        _table = ClickHouseSchema.QualifiedName(options.Database, options.Patterns.Table);
        _metrics = metrics.ForComponent(ComponentName);
    }

    /// <summary>Rows ClickHouse acknowledged so far.</summary>
    public long RowsWritten => Interlocked.Read(ref _rowsWritten);

    /// <summary>
    /// Hands over a template the pattern-mine block just created (its <c>created</c> callback). Only
    /// needed for templates merged away or evicted before the next round: without it they would never
    /// get a row, and the ids of their events in <c>logs.template_id</c> would not join. Thread-safe and cheap.
    /// </summary>
    public void Track(PatternTemplate template) => _created.Enqueue(template);

    void IPatternObserver.OnCreated(PatternTemplate template, EventBatch batch, int index) => Track(template);

    void IPatternObserver.Observe(EventBatch batch, ReadOnlySpan<int> errors)
    {
    }

    /// <summary>Test hook: a round ended; the rows it wrote, or -1 when it failed.</summary>
    internal event Action<int>? RoundCompleted;

    /// <summary>
    /// Creates or checks the table, then starts the rounds. A table that does not fit throws
    /// <see cref="ClickHouseSchemaException"/> (the service does not start, as for the events table);
    /// a server that does not answer is left to the rounds, which set the table up once it does.
    /// </summary>
    /// <summary>Its last round follows the graph's drain.</summary>
    public LifecycleStage Stage => LifecycleStage.Sinks;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ClickHouseSchemaException)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Failed(ex, "setup");
        }

        // The timer exists before StartAsync returns, so a test's fake clock can move right after.
        _timer = new PeriodicTimer(_patterns.Interval, _time);
        _loop = Task.Run(LoopAsync, CancellationToken.None);
    }

    /// <summary>Stops the rounds and writes what changed since the last one (the graph has drained by now).</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _timer?.Dispose();
        await _loop.ConfigureAwait(false);
        var rows = await RoundAsync(cancellationToken).ConfigureAwait(false);
        if (rows < 0)
        {
            ClickHousePatternsLog.FinalRoundFailed(_logger, _lastFailure, _changed.Count, _table);
        }
    }

    /// <summary>
    /// Writes every template that changed since its last acknowledged row, as one INSERT. Returns the
    /// rows written (0 when nothing changed) or -1 when the round failed (counted, logged once per outage).
    /// One round at a time.
    /// </summary>
    internal async Task<int> RoundAsync(CancellationToken cancellationToken)
    {
        await _round.WaitAsync(cancellationToken).ConfigureAwait(false);
        var result = -1;
        try
        {
            result = await WriteChangedAsync(cancellationToken).ConfigureAwait(false);
            if (_failing && result > 0)
            {
                _failing = false;
                ClickHousePatternsLog.Recovered(_logger, _table, result);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            Failed(ex, "insert");
        }
        finally
        {
            _round.Release();
        }

        RoundCompleted?.Invoke(result);
        return result;
    }

    private async Task LoopAsync()
    {
        try
        {
            while (await _timer!.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                await RoundAsync(_stopping.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping: the last round runs in StopAsync.
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task<int> WriteChangedAsync(CancellationToken cancellationToken)
    {
        var templates = _miner.GetTemplates();
        _changed.Clear();
        _present.Clear();
        foreach (var template in templates)
        {
            _present.Add(template.Id);
            var row = PatternRow.Of(template);
            // Created but not yet stamped by the block: its first message's time comes next round.
            if (row.FirstSeenAt == 0 || (_written.TryGetValue(template.Id, out var last) && !last.ChangedIn(row)))
            {
                continue;
            }

            _changed.Add(row);
        }

        // Templates created since the last round but already merged away or evicted: GetTemplates no
        // longer has them, yet events in logs carry their ids. They get one row (until it is written).
        while (_created.TryDequeue(out var created))
        {
            if (!_present.Contains(created.Id) && !_written.ContainsKey(created.Id))
            {
                if (_gone.Count < MaxGone)
                {
                    _gone.Add(created);
                }
                else
                {
                    _metrics.Discarded("gone_overflow");
                }
            }
        }

        foreach (var gone in _gone)
        {
            var row = PatternRow.Of(gone);
            if (row.FirstSeenAt != 0)
            {
                _changed.Add(row);
            }
        }

        // Merged or evicted templates keep their last row in ClickHouse; here they are forgotten.
        if (_written.Count > _present.Count)
        {
            foreach (var id in _written.Keys.Where(id => !_present.Contains(id)).ToList())
            {
                _written.Remove(id);
            }
        }

        if (_changed.Count == 0)
        {
            return 0;
        }

        if (_layout is null)
        {
            await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        }

        var now = (ulong)Math.Max(0, _time.GetUtcNow().ToUnixTimeMilliseconds());
        var version = Math.Max(now, _version + 1);
        _payload.ResetWrittenCount();
        foreach (var row in _changed)
        {
            PatternRowEncoder.Encode(row, version, _payload);
        }

        try
        {
            await _endpoint.InsertAsync(_table, ClickHouseSchema.PatternInsertColumns(_layout!.Value), _payload.WrittenMemory,
                PayloadFormat.RowBinary, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ClickHouseErrors.IsSchemaGone(ex))
        {
            _layout = null; // dropped or altered: set it up again next round
            throw;
        }

        _version = version;
        foreach (var row in _changed)
        {
            _written[row.Template.Id] = row;
        }

        _gone.Clear(); // written once; forgotten with the other absent ids next round

        Interlocked.Add(ref _rowsWritten, _changed.Count);
        _metrics.Out.Inc(_changed.Count);
        return _changed.Count;
    }

    private async Task EnsureTableAsync(CancellationToken cancellationToken)
    {
        var (layout, _) = await SchemaSetup.EnsurePatternsAsync(_endpoint, _options, cancellationToken).ConfigureAwait(false);
        _layout = layout;
        ClickHousePatternsLog.Ready(_logger, _options.Database, _patterns.Table, layout.ToString(), _patterns.Interval);
    }

    private void Failed(Exception ex, string stage)
    {
        _metrics.Error(stage);
        _lastFailure = ex is ClickHouseSchemaException ? ex.Message : ClickHouseErrors.Describe(ex);
        if (!_failing)
        {
            _failing = true;
            ClickHousePatternsLog.RoundFailed(_logger, _endpoint.Description, _table, _lastFailure, _patterns.Interval);
        }
    }

    /// <summary>Ends the rounds without a last one (<see cref="StopAsync"/> writes it) and closes the HTTP client.</summary>
    public void Dispose()
    {
        _stopping.Cancel();
        _timer?.Dispose();
        _endpoint.Dispose();
    }
}
