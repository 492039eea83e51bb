using Pipeline.Blocks.Acks;

namespace Pipeline.Storage.Sinks;

/// <summary>
/// A sink whose acknowledgement is the robots' (the files sink, DESIGN "Acknowledgements"): the runner claims each
/// batch's <see cref="AckToken"/> and hands it on with the encoded batch (<see cref="SinkBatch.Ack"/>); the sink
/// resolves it once the write is durable.
/// </summary>
public interface IAcknowledgingSink
{
    /// <summary>A batch with nothing to write (every line dropped on the way): its token is durable with the next fsync.</summary>
    void AwaitSync(AckToken token);
}
