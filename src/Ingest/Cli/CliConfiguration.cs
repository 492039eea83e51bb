using Microsoft.Extensions.Configuration;

namespace Pipeline.Ingest.Cli;

/// <summary>
/// The configuration a verb for people reads, in the service's order: appsettings.json in the current
/// directory, an optional <c>--config FILE</c>, <c>Pipeline__…</c> variables, then <c>--Pipeline:…</c> arguments.
/// </summary>
internal static class CliConfiguration
{
    /// <summary>False with a sentence for the user when the file is missing or not JSON.</summary>
    public static bool TryBuild(FileInfo? file, IEnumerable<string> overrides, out IConfiguration configuration, out string problem)
    {
        configuration = null!;
        problem = "";
        try
        {
            var builder = new ConfigurationBuilder()
                .SetBasePath(Directory.GetCurrentDirectory())
                .AddJsonFile("appsettings.json", optional: true);
            if (file is not null)
            {
                if (!file.Exists)
                {
                    problem = $"config file '{file.FullName}' does not exist.";
                    return false;
                }

                builder.AddJsonFile(file.FullName, optional: false);
            }

            configuration = builder.AddEnvironmentVariables().AddCommandLine([.. overrides]).Build();
            return true;
        }
        catch (InvalidDataException ex)
        {
            problem = $"configuration is not valid JSON: {ex.Message}";
            return false;
        }
    }
}
