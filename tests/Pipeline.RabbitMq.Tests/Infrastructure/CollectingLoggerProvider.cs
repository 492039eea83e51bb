using Microsoft.Extensions.Logging;

namespace Pipeline.RabbitMq.Tests.Infrastructure;

/// <summary>One <see cref="RecordingLogger"/> for every category of a host, to assert on what the service says.</summary>
internal sealed class CollectingLoggerProvider : ILoggerProvider
{
    public RecordingLogger Logger { get; } = new();

    public IReadOnlyList<(LogLevel Level, string Message)> Lines => [.. Logger.Lines];

    public ILogger CreateLogger(string categoryName) => Logger;

    public void Dispose()
    {
    }
}
