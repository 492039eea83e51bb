using Pipeline.Blocks.Acks;

namespace Pipeline.Storage.Tests.Files;

/// <summary>An <see cref="IAckOwner"/> that remembers the acks it was given.</summary>
internal sealed class RecordingAckOwner : IAckOwner
{
    public List<long> Acks { get; } = [];

    public void SendAck(AckStream stream, long seq) => Acks.Add(seq);

    public void Resend(string reason)
    {
    }
}
