using System.CommandLine;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Blocks.Metrics;
using Pipeline.Ingest.Configuration;
using Pipeline.Storage.Alerting;

namespace Pipeline.Ingest.Cli;

internal static partial class AlertsCommand
{
    private static Command CreateTest(TextWriter output, TextWriter error, ConfigurationOverrides overrides)
    {
        var channel = new Argument<string>("CHANNEL") { Description = "A channel name of Pipeline:Alerts:Channels." };
        var config = new Option<FileInfo?>("--config") { HelpName = "FILE", Description = "A JSON settings file (with appsettings.json, Pipeline__ variables and --Pipeline:… arguments)." };
        var command = new Command("test",
            "Sends one test notification through a configured channel, directly (one attempt, past its queue, grouping window and " +
            "rate limit), and prints the channel's own error when it fails. Exit 0: delivered; 1: the channel failed; 2: bad configuration " +
            "or no such channel. Example: pipeline alerts test developers --config /etc/pipeline/pipeline.json")
        {
            channel, config,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var name = result.GetValue(channel)!;
            if (!CliConfiguration.TryBuild(result.GetValue(config), overrides.Arguments, out var configuration, out var problem))
            {
                await error.WriteLineAsync($"pipeline alerts test: {problem}").ConfigureAwait(false);
                return 2;
            }

            var errors = new List<string>();
            var settings = PipelineSettings.Load(configuration, errors);
            if (errors.Count > 0)
            {
                await error.WriteLineAsync("pipeline alerts test: invalid configuration:").ConfigureAwait(false);
                foreach (var message in errors)
                {
                    await error.WriteLineAsync("  " + message).ConfigureAwait(false);
                }

                return 2;
            }

            await using var channels = new AlertChannels(settings.AlertChannels, new PipelineMetrics(), TimeProvider.System, NullLogger.Instance);
            if (!channels.Channels.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                var test = await channels.TestAsync(name, cancellationToken).ConfigureAwait(false);
                await error.WriteLineAsync($"pipeline alerts test: {test.Error}").ConfigureAwait(false);
                return 2;
            }

            var outcome = await channels.TestAsync(name, cancellationToken).ConfigureAwait(false);
            if (!outcome.Success)
            {
                await error.WriteLineAsync($"pipeline alerts test: {outcome.Error}").ConfigureAwait(false);
                return 1;
            }

            await output.WriteLineAsync($"Test notification sent through '{name}'.").ConfigureAwait(false);
            return 0;
        });
        return overrides.ReadBy(command);
    }
}
