namespace Pipeline.ClickHouse.Tests.Infrastructure;

/// <summary>A directory of one test's own, deleted on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "pipeline-spool-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string[] Segments()
    {
        var files = Directory.GetFiles(Path, "*.spool");
        Array.Sort(files, StringComparer.Ordinal);
        return files;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
