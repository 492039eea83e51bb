using System.CommandLine;

namespace Pipeline.Ingest.Cli;

/// <summary>The <c>pipeline</c> command line: <c>run</c> (the default) and the verbs for people.</summary>
internal static class PipelineCommands
{
    /// <summary>
    /// Parses <paramref name="args"/> strictly and runs the verb: an unknown verb, option or argument, or a bad value, is one
    /// line on <paramref name="error"/> (naming it, with the closest valid ones) and exit code 2, never the service starting.
    /// </summary>
    public static async Task<int> InvokeAsync(string[] args, TextWriter output, TextWriter error, TextReader input,
        InvocationConfiguration? configuration = null)
    {
        var overrides = new ConfigurationOverrides();
        var root = Create(output, error, input, overrides);
        if (!overrides.TrySplit(args, root, out var rest, out var problem))
        {
            await error.WriteLineAsync($"pipeline: {problem}").ConfigureAwait(false);
            return 2;
        }

        var result = root.Parse(rest);
        // --help and --version answer whatever else is on the line, as System.CommandLine does.
        var answersItself = result.Action is System.CommandLine.Help.HelpAction ||
            root.Options.OfType<VersionOption>().Any(o => result.GetResult(o) is not null);
        if (!answersItself && ParseFailure.Describe(result, overrides) is { } failure)
        {
            await error.WriteLineAsync(failure).ConfigureAwait(false);
            return 2;
        }

        configuration ??= new InvocationConfiguration();
        configuration.Output = output;
        configuration.Error = error;
        return await result.InvokeAsync(configuration).ConfigureAwait(false);
    }

    /// <summary>The verbs; <paramref name="overrides"/> are the ones <see cref="InvokeAsync"/> takes out of the arguments.</summary>
    public static RootCommand Create(TextWriter output, TextWriter error, TextReader input, ConfigurationOverrides overrides)
    {
        var root = new RootCommand(
            "Pipeline: a log and event pipeline for robot fleets. Without a verb it runs the service (as `pipeline run`).\n" +
            "run, validate, alerts test, patterns mine, logs, stats, errors and sql read settings as the service does: appsettings.json, " +
            "--config FILE, Pipeline__… variables, and --Pipeline:Key=value (or --Pipeline:Key value) arguments, e.g. " +
            "--Pipeline:DataDir=/var/lib/pipeline.\n" +
            "Exit codes: 0 done; 2 an unknown verb or option, a missing or bad argument, or bad settings; each verb's help names its others.");
        root.Subcommands.Add(RunCommand.Create(error, overrides));
        var config = RunCommand.ConfigOption();
        root.Subcommands.Add(ValidateCommand.Create(output, error, overrides));
        root.Subcommands.Add(PatternsCommand.Create(output, error, overrides));
        root.Subcommands.Add(LogsCommand.Create(output, error, overrides));
        root.Subcommands.Add(StatsCommand.Create(output, error, overrides));
        root.Subcommands.Add(ErrorsCommand.Create(output, error, overrides));
        root.Subcommands.Add(SqlCommand.Create(output, error, overrides));
        root.Subcommands.Add(AlertsCommand.Create(output, error, overrides));
        root.Subcommands.Add(RobotsCommand.Create(output, error));
        root.Subcommands.Add(AuthCommand.Create(output, error, input));
        root.Subcommands.Add(TailCommand.Create(output, error));
        root.Subcommands.Add(TopCommand.Create(output, error));

        // `pipeline` alone, or `pipeline --Pipeline:…=…`, is `pipeline run`.
        root.Options.Add(config);
        root.SetAction((result, cancellationToken) => RunCommand.RunAsync(result, config, error, overrides, cancellationToken));
        return overrides.ReadBy(root);
    }
}
