namespace Pipeline.Ingest.Cli.Files;

/// <summary>The rolling files a query verb reads (oldest first, as listed) and the scanner that reads them newest first.</summary>
internal sealed record FileSource(string Directory, string[] Files, FileScanner Scanner);
