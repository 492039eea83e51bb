namespace Pipeline.Storage.Sinks;

/// <summary>
/// The destination answers but is set up so that it cannot take the data (a table that does not fit,
/// missing permissions). At start it stops the service with this message; later the sink turns
/// <c>failed</c> and keeps the data in its spool until it is fixed.
/// </summary>
public class SinkSetupException(string message, Exception? inner = null) : Exception(message, inner);
