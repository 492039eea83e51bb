using Microsoft.Extensions.Logging;

namespace Pipeline.Storage.Tests.Infrastructure;

/// <summary>Keeps every log line (level and text) for assertions, and lets a test await a line.</summary>
internal sealed class CollectingLogger : ILogger
{
    private readonly List<(LogLevel Level, string Message)> _lines = [];
    private readonly List<(Func<LogLevel, string, bool> Match, TaskCompletionSource Seen)> _waiters = [];

    public IReadOnlyList<(LogLevel Level, string Message)> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    /// <summary>Lines at <paramref name="level"/> or above.</summary>
    public List<string> AtLeast(LogLevel level) => [.. Lines.Where(l => l.Level >= level).Select(l => l.Message)];

    /// <summary>Completes when a line matching <paramref name="match"/> was logged (already or later).</summary>
    public Task WaitForAsync(Func<LogLevel, string, bool> match)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lines)
        {
            if (_lines.Any(l => match(l.Level, l.Message)))
            {
                return Task.CompletedTask;
            }

            _waiters.Add((match, seen));
        }

        return seen.Task.WaitAsync(StepGate.Timeout);
    }

    public Task WaitForAsync(string contains) => WaitForAsync((_, m) => m.Contains(contains, StringComparison.Ordinal));

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var message = formatter(state, exception);
        lock (_lines)
        {
            _lines.Add((logLevel, message));
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(logLevel, message))
                {
                    _waiters[i].Seen.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }
}
