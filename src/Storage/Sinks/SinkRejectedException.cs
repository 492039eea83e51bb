namespace Pipeline.Storage.Sinks;

/// <summary>
/// The destination refused the data for good (malformed rows, unroutable after every attempt): the
/// runner counts the batch's events as discarded with <see cref="Reason"/> and does not retry or spool it.
/// </summary>
public sealed class SinkRejectedException(string reason, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The discard reason in <c>pipeline_component_discarded_events_total</c> (<c>rejected</c>, <c>unroutable</c>).</summary>
    public string Reason { get; } = reason;
}
