using System.Globalization;

namespace Pipeline.Ingest.Cli.Query;

/// <summary>
/// Prints rows as an aligned table: a header, a rule, columns padded to their widest value,
/// numbers right-aligned. Line breaks and tabs inside values become spaces so one row stays one line.
/// </summary>
internal static class TablePrinter
{
    public static void Print(TextWriter output, IReadOnlyList<string> columns, IReadOnlyList<string[]> rows)
    {
        if (columns.Count == 0)
        {
            return;
        }

        var cells = new List<string[]>(rows.Count);
        foreach (var row in rows)
        {
            var cleaned = new string[columns.Count];
            for (var c = 0; c < columns.Count; c++)
            {
                cleaned[c] = c < row.Length ? Flatten(row[c]) : "";
            }

            cells.Add(cleaned);
        }

        var widths = new int[columns.Count];
        var numeric = new bool[columns.Count];
        for (var c = 0; c < columns.Count; c++)
        {
            widths[c] = columns[c].Length;
            numeric[c] = cells.Count > 0;
            foreach (var row in cells)
            {
                widths[c] = Math.Max(widths[c], row[c].Length);
                numeric[c] &= IsNumber(row[c]);
            }
        }

        WriteLine(output, columns, widths, numeric);
        var rule = new string[columns.Count];
        for (var c = 0; c < columns.Count; c++)
        {
            rule[c] = new string('-', widths[c]);
        }

        WriteLine(output, rule, widths, numeric);
        foreach (var row in cells)
        {
            WriteLine(output, row, widths, numeric);
        }
    }

    private static void WriteLine(TextWriter output, IReadOnlyList<string> values, int[] widths, bool[] numeric)
    {
        var last = values.Count - 1;
        for (var c = 0; c <= last; c++)
        {
            var value = values[c];
            if (numeric[c])
            {
                output.Write(value.PadLeft(widths[c]));
            }
            else
            {
                output.Write(c == last ? value : value.PadRight(widths[c]));
            }

            if (c < last)
            {
                output.Write("  ");
            }
        }

        output.WriteLine();
    }

    private static bool IsNumber(string value) =>
        value.Length > 0 && double.TryParse(value.TrimEnd('%'), NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    private static string Flatten(string value) =>
        value.IndexOfAny(['\n', '\r', '\t']) < 0 ? value : value.Replace("\r\n", " ", StringComparison.Ordinal).Replace('\n', ' ').Replace('\r', ' ').Replace('\t', ' ');
}
