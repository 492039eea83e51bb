namespace Pipeline.Ingest.Cli.Query;

/// <summary>ClickHouse answered with an error (bad SQL, unknown table…); the message is the server's.</summary>
internal sealed class ClickHouseQueryException(string message) : Exception(message);
