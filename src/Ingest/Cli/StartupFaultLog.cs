using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Pipeline.Ingest.Cli;

/// <summary>
/// Keeps the host's own "Hosting failed to start" error (with its multi-kilobyte stack trace) off the console until
/// the service has started: <see cref="RunCommand"/> reports a start failure itself, as one line that says what to do
/// (a taken port, a sink that cannot start). Once started, the host's errors (a failed background service) log as usual.
/// </summary>
internal sealed class StartupFaultLog
{
    /// <summary>The category the generic host logs its start failure in.</summary>
    internal const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";

    private volatile bool _started;

    /// <summary>Adds the filter rule for <see cref="HostCategory"/> (warnings and above; errors only after <see cref="MarkStarted"/>).</summary>
    public void AddTo(IServiceCollection services) =>
        services.Configure<LoggerFilterOptions>(o => o.Rules.Add(new LoggerFilterRule(null, HostCategory, null, (_, _, level) => Allows(level))));

    /// <summary>Called when the application has started.</summary>
    public void MarkStarted() => _started = true;

    internal bool Allows(LogLevel level) => level >= LogLevel.Warning && (_started || level < LogLevel.Error);
}
