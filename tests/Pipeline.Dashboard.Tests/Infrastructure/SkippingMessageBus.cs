using Xunit.Abstractions;
using Xunit.Sdk;

namespace Pipeline.Dashboard.Tests.Infrastructure;

/// <summary>Passes every message on, turning a test failed by <see cref="SkipException"/> into a skipped one.</summary>
public sealed class SkippingMessageBus(IMessageBus inner) : IMessageBus
{
    public int Skipped { get; private set; }

    public bool QueueMessage(IMessageSinkMessage message)
    {
        if (message is ITestFailed failed && failed.ExceptionTypes.FirstOrDefault() == typeof(SkipException).FullName)
        {
            Skipped++;
            return inner.QueueMessage(new TestSkipped(failed.Test, failed.Messages.FirstOrDefault()));
        }

        return inner.QueueMessage(message);
    }

    // The inner bus belongs to the runner.
    public void Dispose()
    {
    }
}
