namespace Pipeline.Ingest.Cli.Query;

/// <summary>Rows of a query as text, with the column names.</summary>
internal sealed record QueryResult(IReadOnlyList<string> Columns, IReadOnlyList<string[]> Rows);
