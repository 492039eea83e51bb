using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Pipeline.Ingest.Configuration;

namespace Pipeline.Ingest.Cli;

/// <summary><c>pipeline validate [--config FILE]</c>: checks settings the way <c>run</c> does, without starting.</summary>
internal static class ValidateCommand
{
    public static Command Create(TextWriter output, TextWriter error, ConfigurationOverrides overrides)
    {
        var config = new Option<FileInfo?>("--config")
        {
            HelpName = "FILE",
            Description = "A JSON settings file to check (with appsettings.json in the current directory, Pipeline__ variables and --Pipeline:… arguments).",
        };
        var command = new Command("validate",
            "Checks the settings the way `pipeline run` reads them (appsettings.json in the current directory, --config FILE, " +
            "Pipeline__… variables, --Section:Key=value arguments), without starting: prints \"Invalid configuration:\" and each bad " +
            "key on stderr and exits 2, or prints \"Configuration is valid.\" and exits 0. " +
            "Example: pipeline validate --config /etc/pipeline/pipeline.json --Pipeline:DataDir=/var/lib/pipeline")
        {
            config,
        };
        command.SetAction(result =>
        {
            var file = result.GetValue(config);
            var errors = new List<string>();
            if (!CliConfiguration.TryBuild(file, overrides.Arguments, out var configuration, out var problem))
            {
                error.WriteLine($"pipeline: {problem}");
                return 2;
            }

            PipelineSettings.Load(configuration, errors);

            if (errors.Count > 0)
            {
                error.WriteLine("Invalid configuration:");
                foreach (var message in errors)
                {
                    error.WriteLine("  " + message);
                }

                return 2;
            }

            output.WriteLine("Configuration is valid.");
            return 0;
        });
        return overrides.ReadBy(command);
    }
}
