namespace Pipeline.Ingest.Cli.Query;

/// <summary>The events table is not where the configuration says: a setting to fix, not a query to fix.</summary>
internal sealed class ClickHouseTableMissingException(string message) : Exception(message);
