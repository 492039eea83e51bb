namespace Pipeline.Storage.RabbitMq.Internal;

/// <summary>
/// A batch's bookkeeping between attempts (<see cref="Sinks.SinkBatch.State"/>, never spooled): how
/// often each of its messages came back unroutable, aligned with the messages of its current payload.
/// </summary>
internal sealed class PublishState(int messages)
{
    public int[] Returns { get; } = new int[messages];
}
