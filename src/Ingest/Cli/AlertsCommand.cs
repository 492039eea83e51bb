using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Pipeline.Blocks.Alerts;
using Pipeline.Ingest.Cli.Query;

namespace Pipeline.Ingest.Cli;

/// <summary><c>pipeline alerts list | check FILE | test CHANNEL</c>.</summary>
internal static partial class AlertsCommand
{
    public static Command Create(TextWriter output, TextWriter error, ConfigurationOverrides overrides)
    {
        var command = new Command("alerts",
            "Alerting: the service's active alerts (list), a rules file checked like `promtool check rules` (check), " +
            "a test notification through a configured channel (test).")
        {
            CreateList(output, error),
            CreateCheck(output, error),
            CreateTest(output, error, overrides),
        };
        return command;
    }

    private static Command CreateList(TextWriter output, TextWriter error)
    {
        var url = ApiClient.UrlOption();
        var token = ApiClient.TokenOption();
        var command = new Command("list",
            "Prints the running service's active alerts (pending, firing, offline; from GET /api/alerts): rule, group, state, value, " +
            "since, notifications sent, flapping/silenced. Exit 0; 1 when the service cannot be reached or refuses the ops token; " +
            "2 when alerting is off there. Example: PIPELINE_TOKEN=… pipeline alerts list --url http://127.0.0.1:5080")
        {
            url, token,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            using var api = ApiClient.Create(result.GetValue(url)!, result.GetValue(token));
            using var reply = await api.SendAsync(HttpMethod.Get, "/api/alerts", cancellationToken).ConfigureAwait(false);
            if (reply.Error is { } problem)
            {
                await error.WriteLineAsync($"pipeline alerts list: {problem}").ConfigureAwait(false);
                return reply.Status == System.Net.HttpStatusCode.NotFound ? 2 : 1;
            }

            PrintActive(output, reply.Body!.RootElement.GetProperty("active"));
            return 0;
        });
        return command;
    }

    private static void PrintActive(TextWriter output, JsonElement active)
    {
        var rows = new List<string[]>();
        foreach (var a in active.EnumerateArray())
        {
            var marks = (a.GetProperty("flapping").GetBoolean() ? "flapping " : "") + (a.GetProperty("silenced").GetBoolean() ? "silenced" : "");
            rows.Add([
                a.GetProperty("rule").GetString() ?? "",
                a.GetProperty("group_key").GetString() ?? "",
                a.GetProperty("state").GetString() ?? "",
                a.GetProperty("value") is { ValueKind: JsonValueKind.Number } v ? v.GetDouble().ToString("0.###", CultureInfo.InvariantCulture) : "",
                a.GetProperty("since").GetDateTimeOffset().ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                a.GetProperty("notifications_sent").GetInt32().ToString(CultureInfo.InvariantCulture),
                marks.Trim(),
            ]);
        }

        if (rows.Count == 0)
        {
            output.WriteLine("No active alerts.");
            return;
        }

        TablePrinter.Print(output, ["rule", "group", "state", "value", "since", "sent", ""], rows);
    }

    private static Command CreateCheck(TextWriter output, TextWriter error)
    {
        var file = new Argument<FileInfo>("FILE") { Description = "A rules file: {\"Rules\":[{\"Name\":…,\"Kind\":…,…}]} (what Pipeline:Alerts:RulesPath names)." };
        var command = new Command("check",
            "Checks a rules file the way the service loads it: prints every error with its key and rule (exit 2), or the rules it " +
            "holds (exit 0). Example: pipeline alerts check /etc/pipeline/alerts.json")
        {
            file,
        };
        command.SetAction(result =>
        {
            var path = result.GetValue(file)!;
            if (!path.Exists)
            {
                error.WriteLine($"pipeline alerts check: '{path.FullName}' does not exist.");
                return 2;
            }

            var check = new AlertRulesLoader().CheckFile(path.FullName);
            if (!check.IsValid)
            {
                error.WriteLine($"{path.Name}: {check.Errors.Count} error(s):");
                foreach (var message in check.Errors)
                {
                    error.WriteLine("  " + message);
                }

                return 2;
            }

            output.WriteLine($"{path.Name}: {check.Rules.Count} rule(s), valid.");
            var rows = new List<string[]>(check.Rules.Count);
            foreach (var rule in check.Rules)
            {
                rows.Add([rule.Name ?? "", rule.Kind ?? "", string.Join(",", rule.GroupBy), string.Join(",", rule.Channels)]);
            }

            TablePrinter.Print(output, ["rule", "kind", "group by", "channels"], rows);
            return 0;
        });
        return command;
    }
}
