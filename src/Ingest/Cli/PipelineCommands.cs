using System.CommandLine;

namespace Pipeline.Ingest.Cli;

/// <summary>The <c>pipeline</c> command line: <c>run</c> (the default) and the verbs for people.</summary>
internal static class PipelineCommands
{
    public static RootCommand Create(TextWriter output, TextWriter error)
    {
        var root = new RootCommand(
            "Pipeline: a log and event pipeline for robot fleets. Without a verb it runs the service.\n" +
            "Settings can be given as --Pipeline:Key=value after any verb, e.g. --Pipeline:DataDir=/var/lib/pipeline.");
        var run = RunCommand.Create(error);
        root.Subcommands.Add(run);
        root.Subcommands.Add(ValidateCommand.Create(output, error));
        root.Subcommands.Add(PatternsCommand.Create(output, error));
        root.Subcommands.Add(LogsCommand.Create(output, error));
        root.Subcommands.Add(StatsCommand.Create(output, error));
        root.Subcommands.Add(ErrorsCommand.Create(output, error));
        root.Subcommands.Add(SqlCommand.Create(output, error));
        root.Subcommands.Add(AlertsCommand.Create(output, error));
        root.Subcommands.Add(RobotsCommand.Create(output, error));
        root.Subcommands.Add(AuthCommand.Create(output, error, Console.In));

        // `pipeline` alone, or `pipeline --Pipeline:…=…`, is `pipeline run`.
        root.TreatUnmatchedTokensAsErrors = false;
        root.Options.Add(RunCommand.ConfigOption);
        root.SetAction((result, cancellationToken) => RunCommand.RunAsync(result, error, cancellationToken));
        return root;
    }

    /// <summary>Arguments the parser did not recognise: configuration overrides for the host.</summary>
    public static string[] Overrides(ParseResult result) => [.. result.UnmatchedTokens];
}
