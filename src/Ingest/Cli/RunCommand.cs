using System.CommandLine;
using System.Text.RegularExpressions;
using Pipeline.Ingest.Configuration;
using Pipeline.Ingest.Hosting;

namespace Pipeline.Ingest.Cli;

/// <summary><c>pipeline run [--config FILE] [--Pipeline:Key=value …]</c>: the service.</summary>
internal static partial class RunCommand
{
    private const string HttpKey = "Pipeline:Ingest:HttpUrl";
    private const string TcpKey = "Pipeline:Ingest:TcpEndpoint";

    /// <summary><c>--config FILE</c> of <c>run</c> and of the root (one instance per command line).</summary>
    public static Option<FileInfo?> ConfigOption() => new("--config")
    {
        HelpName = "FILE",
        Description = "A JSON settings file (same shape as appsettings.json), read after appsettings.json.",
    };

    public static Command Create(TextWriter error, ConfigurationOverrides overrides)
    {
        var config = ConfigOption();
        var command = new Command("run",
            "Runs the service: WebSocket and HTTP API on Pipeline:Ingest:HttpUrl (default http://127.0.0.1:5080), " +
            "TCP NDJSON on Pipeline:Ingest:TcpEndpoint (default 127.0.0.1:5140), files under Pipeline:DataDir (default ./data). " +
            "SIGTERM or Ctrl-C stops accepting, drains the graph and flushes every sink. Settings: --config FILE, Pipeline__… " +
            "variables and --Section:Key=value arguments (--Pipeline:DataDir=/var/lib/pipeline, --Logging:LogLevel:Default=Warning). " +
            "Exit 0 after a clean stop; 2 when the settings are bad, a port is taken or a sink cannot start (one line on stderr saying why). " +
            "Example: pipeline run --Pipeline:Ingest:TcpEndpoint=127.0.0.1:5190")
        {
            config,
        };
        command.SetAction((result, cancellationToken) => RunAsync(result, config, error, overrides, cancellationToken));
        return overrides.ReadBy(command);
    }

    public static async Task<int> RunAsync(ParseResult result, Option<FileInfo?> configOption, TextWriter error, ConfigurationOverrides overrides,
        CancellationToken cancellationToken)
    {
        var config = result.GetValue(configOption);
        if (config is not null && !config.Exists)
        {
            await error.WriteLineAsync($"pipeline: config file '{config.FullName}' does not exist.").ConfigureAwait(false);
            return 2;
        }

        Microsoft.AspNetCore.Builder.WebApplication app;
        var startupFaults = new StartupFaultLog();
        try
        {
            app = PipelineHost.Build([.. overrides.Arguments], config?.FullName, startupFaults.AddTo);
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
            using var started = app.Lifetime.ApplicationStarted.Register(startupFaults.MarkStarted);
            // Read now: RunAsync disposes the host, and its configuration with it.
            var listeners = (Http: app.Configuration[HttpKey] is { Length: > 0 } h ? h : "http://127.0.0.1:5080",
                Tcp: app.Configuration[TcpKey] is { Length: > 0 } t ? t : "127.0.0.1:5140");
            var debug = app.Configuration["Logging:LogLevel:Default"] is "Debug" or "Trace";
            try
            {
                await app.RunAsync().ConfigureAwait(false);
            }
            catch (IOException ex) when (ex.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
            {
                await error.WriteLineAsync(PortTaken(ex.Message, listeners.Http, listeners.Tcp)).ConfigureAwait(false);
                return 2;
            }
            catch (Exception ex) when (!app.Lifetime.ApplicationStarted.IsCancellationRequested)
            {
                // A sink that cannot start (a ClickHouse table of the wrong shape, …) says why in its message; the
                // stack trace, for what nobody expected, on request.
                await error.WriteLineAsync($"pipeline: could not start: {ex.Message}" +
                    (debug ? Environment.NewLine + ex : " (--Logging:LogLevel:Default=Debug prints where it failed)")).ConfigureAwait(false);
                return 2;
            }
        }

        return 0;
    }

    /// <summary>Which listener's port is taken (Kestrel names every address http://), and the key that moves it.</summary>
    private static string PortTaken(string message, string http, string tcp)
    {
        var taken = BoundPort().Match(message) is { Success: true } m ? m.Groups["port"].Value : null;
        var isTcp = taken is not null && tcp.EndsWith(":" + taken, StringComparison.Ordinal);
        var (key, value, example) = isTcp
            ? (TcpKey, tcp, $"--{TcpKey}=127.0.0.1:PORT")
            : (HttpKey, http, $"--{HttpKey}=http://127.0.0.1:PORT");
        return $"pipeline: cannot listen on {value} ({key}): another process holds the port. Stop it, or choose another port with {example}.";
    }

    [GeneratedRegex(@":(?<port>\d+)/?: address already in use", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex BoundPort();
}
