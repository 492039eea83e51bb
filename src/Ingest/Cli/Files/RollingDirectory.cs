using Pipeline.Storage.Files.Reading;

namespace Pipeline.Ingest.Cli.Files;

/// <summary>Where the rolling files of a <c>--data-dir</c> are: the directory itself when it holds them, else its <c>logs</c>.</summary>
internal static class RollingDirectory
{
    public static string Of(string dataDir) =>
        RollingFileReader.List(dataDir).Length > 0 ? dataDir : Path.Combine(dataDir, "logs");
}
