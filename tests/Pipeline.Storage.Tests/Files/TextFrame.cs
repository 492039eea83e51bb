using System.Buffers;
using Pipeline.Blocks.Acks;
using Pipeline.Storage.Sinks;

namespace Pipeline.Storage.Tests.Files;

/// <summary>A sealed batch whose payload is <paramref name="text"/>, as the files writer gets it (one event, in a pooled buffer).</summary>
internal static class TextFrame
{
    public static SinkBatch Of(string text, AckToken? ack = null)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        var buffer = ArrayPool<byte>.Shared.Rent(bytes.Length);
        bytes.CopyTo(buffer, 0);
        return new SinkBatch(buffer, bytes.Length, events: 1, format: 0) { Ack = ack };
    }
}
