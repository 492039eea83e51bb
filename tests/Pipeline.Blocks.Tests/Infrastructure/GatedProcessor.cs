using Pipeline.Blocks.Events;
using Pipeline.Blocks.Graph;

namespace Pipeline.Blocks.Tests.Infrastructure;

/// <summary>
/// A processor that blocks on a gate (processors are synchronous, so a slow one holds its thread)
/// and reports each batch it starts, so a test can wait for "the block is busy" without sleeping.
/// </summary>
internal sealed class GatedProcessor : IBatchProcessor, IDisposable
{
    private readonly ManualResetEventSlim _gate = new(false);
    private readonly SemaphoreSlim _started = new(0);

    public string Name => "gated";

    public void Open() => _gate.Set();

    /// <summary>Completes once the processor has started <paramref name="count"/> more batches.</summary>
    public async Task WaitForStartsAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            if (!await _started.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false))
            {
                throw new TimeoutException($"The processor started {i} of {count} batches.");
            }
        }
    }

    public void Process(EventBatch batch)
    {
        _started.Release();
        if (!_gate.Wait(TimeSpan.FromSeconds(30)))
        {
            throw new TimeoutException("The test never opened the gate.");
        }
    }

    public void Dispose()
    {
        _gate.Dispose();
        _started.Dispose();
    }
}
