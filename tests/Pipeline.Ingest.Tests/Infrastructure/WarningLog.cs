using Microsoft.Extensions.Logging;

namespace Pipeline.Ingest.Tests.Infrastructure;

/// <summary>Keeps every log record at Warning or above (category, text, exception) that the host writes.</summary>
public sealed class WarningLog : ILoggerProvider
{
    private readonly List<(string Category, string Message, Exception? Exception)> _records = [];

    public IReadOnlyList<(string Category, string Message, Exception? Exception)> Records
    {
        get
        {
            lock (_records)
            {
                return [.. _records];
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(WarningLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                lock (log._records)
                {
                    log._records.Add((category, formatter(state, exception), exception));
                }
            }
        }
    }
}
