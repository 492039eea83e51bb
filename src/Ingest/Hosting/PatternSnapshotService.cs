using Microsoft.Extensions.Hosting;
using Pipeline.Blocks.Hosting;
using Pipeline.Blocks.PatternMine;

namespace Pipeline.Ingest.Hosting;

/// <summary>
/// Keeps template ids stable across restarts. The miner is restored from <c>data/patterns/</c> when it is
/// created (<see cref="CreateMiner"/>, before the graph can send it anything); this service then writes a
/// snapshot every <c>Pipeline:PatternMine:Snapshots:Interval</c> and once more at shutdown. Its stage
/// (<see cref="LifecycleStage.State"/>) stops after the graph's: the last snapshot includes every
/// template of every event the graph drained.
/// </summary>
internal sealed class PatternSnapshotService : BackgroundService, ILifecycleComponent
{
    private readonly TemplateMiner _miner;
    private readonly PatternSnapshotStore _store;

    public PatternSnapshotService(TemplateMiner miner, PatternSnapshotStore store)
    {
        _miner = miner;
        _store = store;
    }

    /// <summary>The service's miner, restored from the last snapshot and recording its changes for the history.</summary>
    public static TemplateMiner CreateMiner(PatternMineOptions options, PatternSnapshotStore store)
    {
        var miner = new TemplateMiner(options);
        store.Load(miner);
        return miner;
    }

    public LifecycleStage Stage => LifecycleStage.State;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => _store.RunAsync(_miner, stoppingToken);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        _store.Write(_miner);
    }
}
