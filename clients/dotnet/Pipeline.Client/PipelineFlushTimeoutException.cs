using System.Globalization;

namespace Pipeline.Client;

/// <summary>A flush or close whose deadline passed before the server acknowledged every event given before it.</summary>
public sealed class PipelineFlushTimeoutException : TimeoutException
{
    /// <summary>Creates the exception for <paramref name="unacknowledged"/> events up to <paramref name="targetSeq"/>.</summary>
    public PipelineFlushTimeoutException(long unacknowledged, long targetSeq, long acknowledgedSeq, TimeSpan timeout)
        : base(string.Create(CultureInfo.InvariantCulture,
            $"{unacknowledged} event(s) not acknowledged within {timeout}: waited for seq {targetSeq}, the server acknowledged up to {acknowledgedSeq}."))
    {
        Unacknowledged = unacknowledged;
        TargetSeq = targetSeq;
        AcknowledgedSeq = acknowledgedSeq;
    }

    /// <summary>Creates the exception with a message of its own.</summary>
    public PipelineFlushTimeoutException()
    {
    }

    /// <summary>Creates the exception with a message of its own.</summary>
    public PipelineFlushTimeoutException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public PipelineFlushTimeoutException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>How many of the events the flush waited for are still buffered, unacknowledged.</summary>
    public long Unacknowledged { get; }

    /// <summary>The last seq given before the flush: the one it waited for.</summary>
    public long TargetSeq { get; }

    /// <summary>The highest seq the server had acknowledged when the deadline passed.</summary>
    public long AcknowledgedSeq { get; }
}
