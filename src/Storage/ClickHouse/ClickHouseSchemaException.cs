namespace Pipeline.Storage.ClickHouse;

/// <summary>The events table exists but does not hold what the pipeline writes; the message names the column.</summary>
public sealed class ClickHouseSchemaException(string message) : Sinks.SinkSetupException(message);
