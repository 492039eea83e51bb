using System.Text.Json;
using Pipeline.Blocks.Events;

namespace Pipeline.Blocks.Enrich;

/// <summary>Reads a fleet registry file: CSV with a header row, or a JSON array of objects.</summary>
public static class FleetRegistryLoader
{
    public static FleetRegistry Load(string path)
    {
        var text = File.ReadAllText(path);
        return path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || text.TrimStart().StartsWith('[')
            ? FromJson(text, path)
            : FromCsv(text, path);
    }

    public static FleetRegistry FromJson(string json, string source)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"{source}: not valid JSON: {ex.Message}", ex);
        }

        using var _ = document;
        if (document.RootElement.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException($"{source}: a JSON registry must be an array of objects with robot_id, name, site, model.");
        }

        var robots = new List<RobotInfo>();
        var index = 0;
        foreach (var item in document.RootElement.EnumerateArray())
        {
            index++;
            if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("robot_id", out var id) ||
                id.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(id.GetString()))
            {
                throw new FormatException($"{source}: entry {index} has no string robot_id.");
            }

            robots.Add(new RobotInfo(id.GetString()!, Text(item, "name"), Text(item, "site"), Text(item, "model")));
        }

        return new FleetRegistry(robots);
    }

    public static FleetRegistry FromCsv(string csv, string source)
    {
        var lines = csv.Split('\n');
        if (lines.Length == 0 || string.IsNullOrWhiteSpace(lines[0]))
        {
            throw new FormatException($"{source}: a CSV registry needs a header row: robot_id,name,site,model.");
        }

        var header = SplitCsv(lines[0].TrimEnd('\r').TrimStart('\uFEFF'), source, 1);
        var idColumn = header.FindIndex(h => h.Equals("robot_id", StringComparison.OrdinalIgnoreCase));
        if (idColumn < 0)
        {
            throw new FormatException($"{source}: the CSV header has no robot_id column.");
        }

        var nameColumn = header.FindIndex(h => h.Equals("name", StringComparison.OrdinalIgnoreCase));
        var siteColumn = header.FindIndex(h => h.Equals("site", StringComparison.OrdinalIgnoreCase));
        var modelColumn = header.FindIndex(h => h.Equals("model", StringComparison.OrdinalIgnoreCase));
        var robots = new List<RobotInfo>();
        for (var i = 1; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }

            var cells = SplitCsv(line, source, i + 1);
            string Cell(int column) => column >= 0 && column < cells.Count ? cells[column] : "";
            if (Cell(idColumn).Length == 0)
            {
                throw new FormatException($"{source}: line {i + 1} has an empty robot_id.");
            }

            robots.Add(new RobotInfo(Cell(idColumn), Cell(nameColumn), Cell(siteColumn), Cell(modelColumn)));
        }

        return new FleetRegistry(robots);
    }

    private static string Text(JsonElement item, string name) =>
        item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";

    /// <summary>RFC 4180 cells: commas, double-quoted cells with "" escapes.</summary>
    private static List<string> SplitCsv(string line, string source, int lineNumber)
    {
        try
        {
            return SplitCsv(line);
        }
        catch (FormatException ex)
        {
            throw new FormatException($"{source}: line {lineNumber}: {ex.Message}.", ex);
        }
    }

    private static List<string> SplitCsv(string line)
    {
        var cells = new List<string>();
        var cell = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    cell.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                cells.Add(cell.ToString().Trim());
                cell.Clear();
            }
            else
            {
                cell.Append(c);
            }
        }

        if (quoted)
        {
            throw new FormatException("a quoted cell is not closed");
        }

        cells.Add(cell.ToString().Trim());
        return cells;
    }
}
