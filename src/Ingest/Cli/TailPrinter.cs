using System.Text.Json;

namespace Pipeline.Ingest.Cli;

/// <summary>How <c>pipeline tail</c> shows an event (a line, coloured by level on a terminal; or its JSON line) and a drop count.</summary>
internal sealed class TailPrinter
{
    private const string Reset = "\u001b[0m";
    private readonly TextWriter _output;
    private readonly TextWriter _error;
    private readonly bool _json;
    private readonly bool _colour;

    public TailPrinter(TextWriter output, TextWriter error, bool json, bool colour)
    {
        _output = output;
        _error = error;
        _json = json;
        _colour = colour && !json;
    }

    public void Event(string line)
    {
        if (_json)
        {
            _output.WriteLine(line);
            _output.Flush();
            return;
        }

        string ts = "", level = "", robot = "", type = "", msg = "";
        try
        {
            using var e = JsonDocument.Parse(line);
            var root = e.RootElement;
            ts = Text(root, "ts");
            level = Text(root, "level");
            robot = Text(root, "robot_id");
            type = Text(root, "type");
            msg = Text(root, "msg");
        }
        catch (JsonException)
        {
            msg = line;
        }

        // 2026-12-04T22:41:14.097Z → 22:41:14.097: the date is today's while one watches.
        var time = ts.Length >= 23 ? ts[11..23] : ts;
        var text = $"{time} {level,-8} {robot} {(type.Length > 0 ? type + " " : "")}{msg}";
        _output.WriteLine(_colour && Colour(level) is { } colour ? colour + text + Reset : text);
        _output.Flush();
    }

    public void Dropped(string data)
    {
        long count = 0;
        try
        {
            using var d = JsonDocument.Parse(data);
            count = d.RootElement.GetProperty("dropped").GetInt64();
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            // an odd count still says that events were missed
        }

        var line = $"-- {count} event(s) dropped: this viewer fell behind (the pipeline did not wait) --";
        var target = _json ? _error : _output;
        target.WriteLine(_colour ? "\u001b[2m" + line + Reset : line);
        target.Flush();
    }

    private static string Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() ?? "" : "";

    private static string? Colour(string level) => level switch
    {
        "DEBUG" => "\u001b[2m",
        "WARNING" => "\u001b[33m",
        "ERROR" => "\u001b[31m",
        "CRITICAL" => "\u001b[1;31m",
        _ => null,
    };
}
