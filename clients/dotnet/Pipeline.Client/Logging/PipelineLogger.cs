using Microsoft.Extensions.Logging;

namespace Pipeline.Client.Logging;

/// <summary>One category's logger: every enabled entry becomes one acknowledged event of the provider's client.</summary>
internal sealed class PipelineLogger(string category, PipelineLoggerProvider provider) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => provider.ScopeProvider.Push(state);

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        var entry = new LogEntryFields<TState>(category, eventId, state, exception, formatter, provider);
        try
        {
            provider.Client.Log(Level(logLevel), entry, LogEntryFields<TState>.Writer);
        }
        catch (ObjectDisposedException)
        {
            // The client closed (the host is stopping): a logger must not throw at its caller.
        }
    }

    private static PipelineLevel Level(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => PipelineLevel.Debug,
        LogLevel.Information => PipelineLevel.Info,
        LogLevel.Warning => PipelineLevel.Warning,
        LogLevel.Error => PipelineLevel.Error,
        _ => PipelineLevel.Critical,
    };
}
