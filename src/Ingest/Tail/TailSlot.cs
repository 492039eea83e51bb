namespace Pipeline.Ingest.Tail;

/// <summary>One event's JSON line (without its <c>\n</c>) in a subscriber's buffer; its array is reused, grown as needed.</summary>
internal sealed class TailSlot
{
    public byte[] Buffer = new byte[512];

    public int Length;

    /// <summary>Events this subscriber missed just before this one (sent as a <c>dropped</c> message before it).</summary>
    public long DroppedBefore;

    public ReadOnlySpan<byte> Line => Buffer.AsSpan(0, Length);

    public void Set(ReadOnlySpan<byte> line, long droppedBefore)
    {
        if (Buffer.Length < line.Length)
        {
            Buffer = new byte[Math.Max(line.Length, Buffer.Length * 2)];
        }

        line.CopyTo(Buffer);
        Length = line.Length;
        DroppedBefore = droppedBefore;
    }
}
