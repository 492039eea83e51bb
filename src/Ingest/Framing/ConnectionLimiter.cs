using Pipeline.Blocks.Metrics;

namespace Pipeline.Ingest.Framing;

/// <summary>Counts open connections of one protocol and refuses those beyond the limit.</summary>
internal sealed class ConnectionLimiter
{
    private readonly int _max;
    private readonly Prometheus.Gauge.Child _open;
    private readonly Prometheus.Counter.Child _rejected;
    private int _count;

    public ConnectionLimiter(string protocol, int max, PipelineMetrics metrics)
    {
        _max = max;
        _open = metrics.IngestConnections.WithLabels(protocol);
        _rejected = metrics.IngestConnectionsRejected.WithLabels(protocol, "limit");
    }

    public int Limit => _max;

    public int Open => Volatile.Read(ref _count);

    public bool TryAcquire()
    {
        if (Interlocked.Increment(ref _count) > _max)
        {
            Interlocked.Decrement(ref _count);
            _rejected.Inc();
            return false;
        }

        _open.Inc();
        return true;
    }

    public void Release()
    {
        Interlocked.Decrement(ref _count);
        _open.Dec();
    }
}
