using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Pipeline.Ingest.Cli.Files;
using Pipeline.Storage.Files.Reading;

namespace Pipeline.Ingest.Cli.Query;

/// <summary>
/// What the query verbs share: <c>--source files|clickhouse</c>, <c>--clickhouse URL</c>, <c>--data-dir DIR</c> and
/// <c>--config FILE</c>, the connection and the data directory read like the service reads them (appsettings.json,
/// Pipeline__ variables, --Pipeline:… arguments), and exit codes: 0 done, 1 ClickHouse rejected the query, 2 bad
/// input, no usable connection, no events table or no rolling files. Without --source: ClickHouse when a connection is
/// configured (or --clickhouse given), else the rolling files (docs/viewer-files.md); --data-dir means the files.
/// </summary>
internal sealed class QueryVerb
{
    private const string Key = "Pipeline:Sinks:ClickHouse";

    private readonly Option<string?> _clickhouse = new("--clickhouse")
    {
        HelpName = "URL",
        Description = "ClickHouse to read, http://user:password@host:8123 (default: Pipeline:Sinks:ClickHouse:ConnectionString of the service's configuration).",
    };

    private readonly Option<string?> _source = new("--source")
    {
        HelpName = "files|clickhouse",
        Description = "Where to read: the rolling files (no server needed) or ClickHouse. Default: clickhouse when a connection is configured, else files.",
    };

    private readonly Option<string?> _dataDir = new("--data-dir")
    {
        HelpName = "DIR",
        Description = "The service's data directory, whose logs/ holds the rolling files (or that directory itself); implies --source files " +
            "(default: Pipeline:Sinks:Files:Directory, else <Pipeline:DataDir>/logs, i.e. ./data/logs).",
    };

    private readonly Option<FileInfo?> _config = new("--config")
    {
        HelpName = "FILE",
        Description = "A JSON settings file read after appsettings.json (before Pipeline__ variables and --Pipeline:… arguments).",
    };

    private readonly ConfigurationOverrides _overrides;

    public QueryVerb(ConfigurationOverrides overrides) => _overrides = overrides;

    /// <summary>Adds the shared options; the verb reads <c>--Pipeline:Key=value</c> configuration overrides.</summary>
    public void AddTo(Command command, bool files = true)
    {
        if (files)
        {
            _source.AcceptOnlyFromAmong("files", "clickhouse");
            command.Options.Add(_source);
        }

        command.Options.Add(_clickhouse);
        if (files)
        {
            command.Options.Add(_dataDir);
        }

        command.Options.Add(_config);
        _overrides.ReadBy(command, pipelineOnly: true);
    }

    /// <summary>
    /// Picks the source; runs <paramref name="files"/> over the rolling files, or <paramref name="clickHouse"/> with a
    /// connection, and turns failures into a message and an exit code.
    /// </summary>
    public async Task<int> RunAsync(
        ParseResult result, string verb, TextWriter error, Func<QueryRunner, Task<int>> clickHouse, Func<FileSource, int>? files = null)
    {
        if (!CliConfiguration.TryBuild(result.GetValue(_config), _overrides.Arguments, out var configuration, out var problem))
        {
            await error.WriteLineAsync($"pipeline {verb}: {problem}").ConfigureAwait(false);
            return 2;
        }

        if (files is null)
        {
            return await RunClickHouseAsync(result, verb, error, configuration, clickHouse).ConfigureAwait(false); // SQL needs ClickHouse
        }

        var source = result.GetValue(_source);
        var dataDir = result.GetValue(_dataDir);
        var url = result.GetValue(_clickhouse);
        if (source == "clickhouse" && dataDir is not null)
        {
            await error.WriteLineAsync($"pipeline {verb}: --data-dir is where the rolling files are; it does not go with --source clickhouse.").ConfigureAwait(false);
            return 2;
        }

        if ((source == "files" || (source is null && dataDir is not null)) && !string.IsNullOrWhiteSpace(url))
        {
            await error.WriteLineAsync($"pipeline {verb}: --clickhouse does not go with {(source is null ? "--data-dir" : "--source files")}: pick one source.").ConfigureAwait(false);
            return 2;
        }

        var useFiles = source == "files" ||
            (source is null && (dataDir is not null || (string.IsNullOrWhiteSpace(url) && string.IsNullOrWhiteSpace(configuration[$"{Key}:ConnectionString"]))));
        if (useFiles)
        {
            return await RunFilesAsync(verb, error, configuration, dataDir, files).ConfigureAwait(false);
        }

        return await RunClickHouseAsync(result, verb, error, configuration, clickHouse).ConfigureAwait(false);
    }

    private static async Task<int> RunFilesAsync(string verb, TextWriter error, IConfiguration configuration, string? dataDir, Func<FileSource, int> body)
    {
        string directory;
        if (dataDir is not null)
        {
            directory = RollingDirectory.Of(dataDir);
        }
        else
        {
            directory = configuration["Pipeline:Sinks:Files:Directory"] is { Length: > 0 } d
                ? d
                : Path.Combine(configuration["Pipeline:DataDir"] is { Length: > 0 } root ? root : "data", "logs");
        }

        var list = RollingFileReader.List(directory);
        if (list.Length == 0)
        {
            var where = Path.GetFullPath(directory);
            await error.WriteLineAsync(
                $"pipeline {verb}: no rolling files ({RollingFileReader.Pattern}) in {where}{(Directory.Exists(where) ? "" : " (it does not exist)")}. " +
                "The service writes them to <Pipeline:DataDir>/logs once events arrive: run this where the service runs, pass --data-dir " +
                "with its Pipeline:DataDir, or read ClickHouse: --clickhouse URL, or set Pipeline:Sinks:ClickHouse:ConnectionString.").ConfigureAwait(false);
            return 2;
        }

        var progress = ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected;
        var scanner = new FileScanner(directory, verb, error, progress);
        return body(new FileSource(directory, list, scanner));
    }

    private async Task<int> RunClickHouseAsync(
        ParseResult result, string verb, TextWriter error, IConfiguration configuration, Func<QueryRunner, Task<int>> body)
    {
        if (!TryResolve(result, configuration, out var target, out var problem))
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

    private bool TryResolve(ParseResult result, IConfiguration configuration, out ClickHouseTarget target, out string problem)
    {
        target = null!;
        problem = "";
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
