using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Pipeline.Client.Internal;

/// <summary>
/// A thread's own JSON writer for the event being logged: callers format outside the client's lock, and the
/// lock only copies the bytes in behind the seq. Reused for every event of the thread.
/// </summary>
internal sealed class EventScratch
{
    private const int KeepBytes = 64 * 1024;

    // Relaxed: non-ASCII text stays as UTF-8 (the server reads it), quotes and control characters are still escaped.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [ThreadStatic]
    private static EventScratch? t_current;

    private ArrayBufferWriter<byte> _buffer = new(1024);

    private EventScratch()
    {
        Writer = new Utf8JsonWriter(_buffer, WriterOptions);
    }

    public Utf8JsonWriter Writer { get; private set; }

    public ReadOnlySpan<byte> Written => _buffer.WrittenSpan;

    /// <summary>The thread's scratch, empty. A nested use (logging from inside a fields writer) gets a fresh one.</summary>
    public static EventScratch Rent()
    {
        var scratch = t_current ?? new EventScratch();
        t_current = null;
        return scratch;
    }

    public static void Return(EventScratch scratch)
    {
        if (scratch._buffer.Capacity > KeepBytes)
        {
            // One huge event should not pin its buffer to the thread.
            scratch._buffer = new ArrayBufferWriter<byte>(1024);
            scratch.Writer = new Utf8JsonWriter(scratch._buffer, WriterOptions);
        }
        else
        {
            scratch._buffer.ResetWrittenCount();
            scratch.Writer.Reset(scratch._buffer);
        }

        t_current = scratch;
    }
}
