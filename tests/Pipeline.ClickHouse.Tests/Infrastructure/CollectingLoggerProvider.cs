using Microsoft.Extensions.Logging;

namespace Pipeline.ClickHouse.Tests.Infrastructure;

/// <summary>One <see cref="CollectingLogger"/> for every category of a host, to assert on what the service says.</summary>
internal sealed class CollectingLoggerProvider : ILoggerProvider
{
    public CollectingLogger Logger { get; } = new();

    public ILogger CreateLogger(string categoryName) => Logger;

    public void Dispose()
    {
    }
}
