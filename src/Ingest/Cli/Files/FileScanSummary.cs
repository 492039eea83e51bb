namespace Pipeline.Ingest.Cli.Files;

/// <summary>What a scan read: files, events, lines that are not events, and files (or frames of them) it could not read.</summary>
internal sealed record FileScanSummary(int Files, long Events, long BadLines, int CorruptFiles, TimeSpan Elapsed);
