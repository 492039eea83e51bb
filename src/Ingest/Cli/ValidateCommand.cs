using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Pipeline.Ingest.Configuration;

namespace Pipeline.Ingest.Cli;

/// <summary><c>pipeline validate [--config FILE]</c>: checks settings the way <c>run</c> does, without starting.</summary>
internal static class ValidateCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var config = new Option<FileInfo?>("--config")
        {
            Description = "A JSON settings file to check (with appsettings.json in the current directory, Pipeline__ variables and --Pipeline:… arguments).",
        };
        var command = new Command("validate", "Checks the configuration; prints each bad key and exits 2, or prints OK and exits 0.")
        {
            config,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(result =>
        {
            var file = result.GetValue(config);
            var errors = new List<string>();
            try
            {
                var builder = new ConfigurationBuilder()
                    .SetBasePath(Directory.GetCurrentDirectory())
                    .AddJsonFile("appsettings.json", optional: true);
                if (file is not null)
                {
                    if (!file.Exists)
                    {
                        error.WriteLine($"pipeline: config file '{file.FullName}' does not exist.");
                        return 2;
                    }

                    builder.AddJsonFile(file.FullName, optional: false);
                }

                var configuration = builder.AddEnvironmentVariables().AddCommandLine(PipelineCommands.Overrides(result)).Build();
                PipelineSettings.Load(configuration, errors);
            }
            catch (InvalidDataException ex)
            {
                errors.Add($"not valid JSON: {ex.Message}");
            }

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
        return command;
    }
}
