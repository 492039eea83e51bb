using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Pipeline.Client.Logging;

/// <summary>
/// An <see cref="ILoggerProvider"/> that sends every log entry as an acknowledged event through a
/// <see cref="PipelineClient"/>: <c>DEBUG|INFO|WARNING|ERROR|CRITICAL</c> from the log level, the formatted message as
/// <c>msg</c>, the category, the state's and scopes' key/values, the exception and the current trace as fields.
/// </summary>
/// <remarks>
/// The client's <see cref="PipelineClientOptions.OverflowPolicy"/> is the logger's: with <c>Block</c>, a full buffer
/// makes the logging call wait. The client's own diagnostics never go through this provider (it would log about itself).
/// </remarks>
[ProviderAlias("Pipeline")]
public sealed class PipelineLoggerProvider : ILoggerProvider, ISupportExternalScope, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, PipelineLogger> _loggers = new(StringComparer.Ordinal);
    private readonly bool _ownsClient;
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    /// <summary>Sends through <paramref name="client"/>, which the caller keeps owning (and closes).</summary>
    public PipelineLoggerProvider(PipelineClient client, PipelineLoggerOptions? options = null)
        : this(client, options, ownsClient: false)
    {
    }

    /// <summary>Creates a client of its own from <paramref name="clientOptions"/> and closes it when disposed.</summary>
    public PipelineLoggerProvider(PipelineClientOptions clientOptions, PipelineLoggerOptions? options = null)
        : this(new PipelineClient(clientOptions), options, ownsClient: true)
    {
    }

    private PipelineLoggerProvider(PipelineClient client, PipelineLoggerOptions? options, bool ownsClient)
    {
        ArgumentNullException.ThrowIfNull(client);
        options ??= new PipelineLoggerOptions();
        options.Validate();
        Options = new PipelineLoggerOptions { EventType = options.EventType, IncludeMessageTemplate = options.IncludeMessageTemplate };
        Client = client;
        _ownsClient = ownsClient;
    }

    /// <summary>The client the events go through: flush it before the process exits.</summary>
    public PipelineClient Client { get; }

    internal PipelineLoggerOptions Options { get; }

    internal IExternalScopeProvider ScopeProvider => Volatile.Read(ref _scopes);

    /// <inheritdoc/>
    public ILogger CreateLogger(string categoryName) =>
        _loggers.GetOrAdd(categoryName, static (name, provider) => new PipelineLogger(name, provider), this);

    /// <inheritdoc/>
    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => Volatile.Write(ref _scopes, scopeProvider);

    /// <summary>Closes the client if the provider created it (waiting for acks up to its CloseTimeout).</summary>
    public void Dispose()
    {
        if (_ownsClient)
        {
            Client.Dispose();
        }
    }

    /// <summary>Closes the client if the provider created it (waiting for acks up to its CloseTimeout).</summary>
    public ValueTask DisposeAsync() => _ownsClient ? Client.DisposeAsync() : ValueTask.CompletedTask;
}
