using Pipeline.Ingest.Cli;

namespace Pipeline.Ingest.Tests.Viewer;

/// <summary>One in-process run of a CLI verb: exit code, stdout and stderr.</summary>
public sealed record ViewerRun(int ExitCode, string Output, string Error)
{
    public string[] Lines => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public static async Task<ViewerRun> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await PipelineCommands.InvokeAsync(args, output, error, TextReader.Null);
        return new ViewerRun(code, output.ToString().Replace("\r\n", "\n", StringComparison.Ordinal), error.ToString());
    }
}
