using System.Threading.Tasks.Dataflow;
using Pipeline.Blocks.Events;

namespace Pipeline.Ingest.Tail;

/// <summary>
/// The tail's fan-out target: it accepts every batch at once (so the fan-out never waits on it) and hands it to the hub,
/// which keeps it, counts it or lets it go.
/// </summary>
internal sealed class TailTarget : ITargetBlock<EventBatch>
{
    private readonly TailHub _hub;

    public TailTarget(TailHub hub) => _hub = hub;

    public Task Completion => _hub.Completion;

    public DataflowMessageStatus OfferMessage(DataflowMessageHeader messageHeader, EventBatch messageValue, ISourceBlock<EventBatch>? source, bool consumeToPostpone)
    {
        if (_hub.IsCompleting)
        {
            return DataflowMessageStatus.DecliningPermanently;
        }

        var batch = messageValue;
        if (consumeToPostpone && source is not null)
        {
            batch = source.ConsumeMessage(messageHeader, this, out var consumed)!;
            if (!consumed)
            {
                return DataflowMessageStatus.NotAvailable;
            }
        }

        _hub.Take(batch);
        return DataflowMessageStatus.Accepted;
    }

    public void Complete() => _hub.Complete();

    public void Fault(Exception exception) => _hub.Complete();
}
