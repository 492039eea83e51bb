using System.CommandLine;
using Pipeline.Ingest.Configuration;
using Pipeline.Ingest.Hosting;

namespace Pipeline.Ingest.Cli;

/// <summary><c>pipeline run [--config FILE] [--Pipeline:Key=value …]</c>: the service.</summary>
internal static class RunCommand
{
    public static readonly Option<FileInfo?> ConfigOption = new("--config")
    {
        Description = "A JSON settings file (same shape as appsettings.json), read after appsettings.json.",
    };

    public static Command Create(TextWriter error)
    {
        var command = new Command("run",
            "Runs the service: WebSocket and HTTP API on Pipeline:Ingest:HttpUrl (default http://127.0.0.1:5080), " +
            "TCP NDJSON on Pipeline:Ingest:TcpEndpoint (default 127.0.0.1:5140), files under Pipeline:DataDir (default ./data). " +
            "SIGTERM or Ctrl-C stops accepting, drains the graph and flushes every sink.")
        {
            ConfigOption,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((result, cancellationToken) => RunAsync(result, error, cancellationToken));
        return command;
    }

    public static async Task<int> RunAsync(ParseResult result, TextWriter error, CancellationToken cancellationToken)
    {
        var config = result.GetValue(ConfigOption);
        if (config is not null && !config.Exists)
        {
            await error.WriteLineAsync($"pipeline: config file '{config.FullName}' does not exist.").ConfigureAwait(false);
            return 2;
        }

        Microsoft.AspNetCore.Builder.WebApplication app;
        try
        {
            app = PipelineHost.Build(PipelineCommands.Overrides(result), config?.FullName);
        }
        catch (ConfigurationException ex)
        {
            await error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            await error.WriteLineAsync("Fix the keys above (appsettings.json, --config, Pipeline__… variables or --Pipeline:… arguments); `pipeline validate` checks without starting.").ConfigureAwait(false);
            return 2;
        }
        catch (InvalidDataException ex)
        {
            await error.WriteLineAsync($"pipeline: a settings file is not valid JSON: {ex.Message}").ConfigureAwait(false);
            return 2;
        }

        await using (app.ConfigureAwait(false))
        {
            // The host handles SIGTERM/Ctrl-C itself (graceful drain); the parser's token is not used
            // so that its termination timeout cannot cut the drain short.
            _ = cancellationToken;
            try
            {
                await app.RunAsync().ConfigureAwait(false);
            }
            catch (IOException ex) when (ex.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
            {
                await error.WriteLineAsync($"pipeline: {ex.Message} Another process holds the port: stop it, or choose another " +
                    "with --Pipeline:Ingest:HttpUrl=http://127.0.0.1:PORT or --Pipeline:Ingest:TcpEndpoint=127.0.0.1:PORT.").ConfigureAwait(false);
                return 2;
            }
            catch (Exception ex) when (!app.Lifetime.ApplicationStarted.IsCancellationRequested)
            {
                // A sink that cannot start (a ClickHouse table of the wrong shape, …) says why in its message.
                await error.WriteLineAsync($"pipeline: could not start: {ex.Message}").ConfigureAwait(false);
                return 2;
            }
        }

        return 0;
    }
}
