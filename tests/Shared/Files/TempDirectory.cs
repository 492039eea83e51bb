namespace Pipeline.Tests.Shared;

/// <summary>A fresh directory of one test's own under the system temp directory, deleted with everything in it on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "pipeline-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <summary>Writes <paramref name="content"/> to a file of the directory and returns its path.</summary>
    public string Write(string name, string content)
    {
        var file = Combine(name);
        File.WriteAllText(file, content);
        return file;
    }

    /// <summary>The directory's files that match <paramref name="pattern"/>, in ordinal order (spool segments sort by sequence).</summary>
    public string[] Files(string pattern)
    {
        var files = Directory.GetFiles(Path, pattern);
        Array.Sort(files, StringComparer.Ordinal);
        return files;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Gone already, or a file still open by a failed test: the OS temp cleanup gets it.
        }
    }
}
