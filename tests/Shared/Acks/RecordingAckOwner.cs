using Pipeline.Blocks.Acks;

namespace Pipeline.Tests.Shared.Acks;

/// <summary>An <see cref="IAckOwner"/> that remembers the acks it was given and whether it was told to re-send.</summary>
public sealed class RecordingAckOwner : IAckOwner
{
    public List<long> Acks { get; } = [];

    public List<string> Resends { get; } = [];

    public void SendAck(AckStream stream, long seq) => Acks.Add(seq);

    public void Resend(string reason) => Resends.Add(reason);
}
