using Pipeline.Ingest.Cli;

namespace Pipeline.ClickHouse.Tests.Cli;

/// <summary>Runs the <c>pipeline</c> command line in-process and keeps what it printed.</summary>
internal sealed record CliRun(int ExitCode, string Output, string Error)
{
    public static async Task<CliRun> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await PipelineCommands.InvokeAsync(args, output, error, TextReader.Null);
        return new CliRun(exitCode, output.ToString(), error.ToString());
    }

    /// <summary>Lines of the output, without the trailing empty one.</summary>
    public string[] Lines => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
