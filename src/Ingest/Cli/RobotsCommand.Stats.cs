using System.CommandLine;
using System.Text.Json;
using Pipeline.Ingest.Cli.Query;

namespace Pipeline.Ingest.Cli;

internal static partial class RobotsCommand
{
    private static Command CreateStats(TextWriter output, TextWriter error) =>
        CreateGet("stats",
            "Prints the fleet's statistics (GET /api/robots/stats): connections (ever established, open now, refused or lost before " +
            "establishing), robots known and online, commands fleet-wide with their average send and execute times, and one row " +
            "per robot (events in all and in the last hour, connections, commands, average times). Exit 0; 1 when the service " +
            "cannot be reached or refuses the ops token. Example: pipeline robots stats --json",
            "/api/robots/stats", PrintStats, output, error);

    private static void PrintStats(TextWriter output, JsonElement root)
    {
        var connections = root.GetProperty("connections");
        var robots = root.GetProperty("robots");
        Field(output, "connections", $"{Number(connections, "total")} total, {Number(connections, "active")} active, {Number(connections, "failed")} failed");
        Field(output, "robots", $"{Number(robots, "known")} known, {Number(robots, "online")} online");
        PrintCommandStats(output, root.GetProperty("commands"));

        var rows = new List<string[]>();
        foreach (var robot in root.GetProperty("per_robot").EnumerateObject())
        {
            var r = robot.Value;
            var commands = r.GetProperty("commands");
            rows.Add([
                robot.Name,
                Number(r, "events"),
                Number(r, "events_last_hour"),
                Number(r, "connections"),
                Number(commands, "sent"),
                Milliseconds(commands, "avg_send_ms"),
                Milliseconds(commands, "avg_execute_ms"),
            ]);
        }

        output.WriteLine();
        if (rows.Count == 0)
        {
            output.WriteLine("no robots have connected yet");
            return;
        }

        TablePrinter.Print(output, ["ROBOT", "EVENTS", "EVENTS/H", "CONNECTIONS", "COMMANDS", "AVG SEND MS", "AVG EXEC MS"], rows);
    }
}
