using System.Text;

namespace Pipeline.Storage.ClickHouse;

/// <summary>ClickHouse's TabSeparated output format, as the sink's schema checks and the CLI's query verbs read it.</summary>
public static class TabSeparated
{
    /// <summary>Undoes the escapes of one field (<c>\n \t \r \0 \b \f</c>, and a backslash before any other character).</summary>
    public static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        var builder = new StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            var c = field[i];
            if (c != '\\' || i + 1 == field.Length)
            {
                builder.Append(c);
                continue;
            }

            c = field[++i];
            builder.Append(c switch
            {
                'n' => '\n',
                't' => '\t',
                'r' => '\r',
                '0' => '\0',
                'b' => '\b',
                'f' => '\f',
                _ => c,
            });
        }

        return builder.ToString();
    }
}
