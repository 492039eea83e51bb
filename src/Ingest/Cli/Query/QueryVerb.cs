using System.CommandLine;
using Microsoft.Extensions.Configuration;

namespace Pipeline.Ingest.Cli.Query;

/// <summary>
/// What the query verbs share: <c>--clickhouse URL</c> and <c>--config FILE</c>, the connection read
/// like the service reads it (appsettings.json, Pipeline__ variables, --Pipeline:… arguments), and
/// exit codes: 0 done, 1 ClickHouse rejected the query, 2 bad input, no usable connection or no events table.
/// </summary>
internal sealed class QueryVerb
{
    private const string Key = "Pipeline:Sinks:ClickHouse";

    private readonly Option<string?> _clickhouse = new("--clickhouse")
    {
        HelpName = "URL",
        Description = "ClickHouse to read, http://user:password@host:8123 (default: Pipeline:Sinks:ClickHouse:ConnectionString of the service's configuration).",
    };

    private readonly Option<FileInfo?> _config = new("--config")
    {
        HelpName = "FILE",
        Description = "A JSON settings file read after appsettings.json (before Pipeline__ variables and --Pipeline:… arguments).",
    };

    private readonly ConfigurationOverrides _overrides;

    public QueryVerb(ConfigurationOverrides overrides) => _overrides = overrides;

    /// <summary>Adds the shared options; the verb reads <c>--Pipeline:Key=value</c> configuration overrides.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(_clickhouse);
        command.Options.Add(_config);
        _overrides.ReadBy(command, pipelineOnly: true);
    }

    /// <summary>Resolves the connection, runs <paramref name="body"/>, and turns failures into a message and an exit code.</summary>
    public async Task<int> RunAsync(
        ParseResult result, string verb, TextWriter error, Func<QueryRunner, Task<int>> body)
    {
        if (!TryResolve(result, out var target, out var problem))
        {
            await error.WriteLineAsync($"pipeline {verb}: {problem}").ConfigureAwait(false);
            return 2;
        }

        using var runner = new QueryRunner(target, TimeSpan.FromSeconds(60));
        try
        {
            return await body(runner).ConfigureAwait(false);
        }
        catch (ClickHouseUnreachableException ex)
        {
            await error.WriteLineAsync(
                $"pipeline {verb}: {ex.Message}. Check --clickhouse or {Key}:ConnectionString.").ConfigureAwait(false);
            return 2;
        }
        catch (ClickHouseTableMissingException ex)
        {
            await error.WriteLineAsync($"pipeline {verb}: {ex.Message}").ConfigureAwait(false);
            return 2;
        }
        catch (ClickHouseQueryException ex)
        {
            await error.WriteLineAsync($"pipeline {verb}: ClickHouse: {ex.Message}").ConfigureAwait(false);
            return 1;
        }
    }

    private bool TryResolve(ParseResult result, out ClickHouseTarget target, out string problem)
    {
        target = null!;
        problem = "";
        if (!CliConfiguration.TryBuild(result.GetValue(_config), _overrides.Arguments, out var configuration, out problem))
        {
            return false;
        }

        var connection = result.GetValue(_clickhouse);
        if (string.IsNullOrWhiteSpace(connection))
        {
            connection = configuration[$"{Key}:ConnectionString"];
        }

        if (string.IsNullOrWhiteSpace(connection))
        {
            problem = $"no ClickHouse connection: pass --clickhouse http://host:8123 or set {Key}:ConnectionString " +
                "(appsettings.json, Pipeline__Sinks__ClickHouse__ConnectionString, or --Pipeline:Sinks:ClickHouse:ConnectionString=…).";
            return false;
        }

        var database = configuration[$"{Key}:Database"] is { Length: > 0 } d ? d : "pipeline";
        var table = configuration[$"{Key}:Table"] is { Length: > 0 } t ? t : "logs";
        if (!IsIdentifier(database) || !IsIdentifier(table))
        {
            problem = $"{Key}:Database and :Table must be plain identifiers (letters, digits, _), got '{database}'.'{table}'.";
            return false;
        }

        try
        {
            target = ClickHouseTarget.Parse(connection, database, table);
            return true;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException or KeyNotFoundException)
        {
            problem = $"the ClickHouse connection is not an http:// URL or a ClickHouse.Driver connection string: {ex.Message}";
            return false;
        }
    }

    private static bool IsIdentifier(string name)
    {
        if (name.Length == 0 || char.IsAsciiDigit(name[0]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }
}
