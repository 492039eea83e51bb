namespace Pipeline.Client.Internal;

/// <summary>A flush waiting until nothing at or below <see cref="Target"/> is buffered any more.</summary>
internal sealed class FlushWaiter(long target)
{
    public long Target { get; } = target;

    public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
