namespace Pipeline.Ingest.Cli.Query;

/// <summary>No answer from ClickHouse: connection refused, timeout, TLS failure, or wrong credentials.</summary>
internal sealed class ClickHouseUnreachableException(string message, Exception? inner = null) : Exception(message, inner);
