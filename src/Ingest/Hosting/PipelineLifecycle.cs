using Microsoft.Extensions.Hosting;
using Pipeline.Blocks.Hosting;

namespace Pipeline.Ingest.Hosting;

/// <summary>
/// Starts every <see cref="ILifecycleComponent"/> from the last stage to the first (state restored,
/// sinks checked, graph, then what feeds it) and stops them from the first to the last (ingest,
/// graph drain, sinks, state). Within a stage, in registration order at start and reverse at stop.
/// Registered before the web server, so Kestrel's listeners close before any of this stops.
/// </summary>
internal sealed class PipelineLifecycle(IEnumerable<ILifecycleComponent> components) : IHostedService
{
    private readonly ILifecycleComponent[] _components = Order(components);

    /// <summary>The stop order (for tests and diagnostics).</summary>
    public IReadOnlyList<ILifecycleComponent> StopOrder => _components;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        for (var i = _components.Length - 1; i >= 0; i--)
        {
            await _components[i].StartAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var component in _components)
        {
            await component.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static ILifecycleComponent[] Order(IEnumerable<ILifecycleComponent> components)
    {
        var list = components.Select((c, i) => (Component: c, Index: i)).ToList();
        // Stop order: by stage, and later registrations first within a stage (so start is registration order).
        list.Sort((a, b) => a.Component.Stage != b.Component.Stage ? a.Component.Stage.CompareTo(b.Component.Stage) : b.Index.CompareTo(a.Index));
        return list.Select(x => x.Component).ToArray();
    }
}
