using System.Text;

namespace Pipeline.Ingest.Cli.Query;

/// <summary>
/// ClickHouse string literals for user input. ClickHouse 18.16 has no query parameters
/// (<c>{name:Type}</c> came in 19.x), so values are escaped: inside single quotes a backslash
/// escapes the next character, so quotes and backslashes are doubled-up with one.
/// </summary>
internal static class SqlLiteral
{
    public static string Quote(string value)
    {
        var builder = new StringBuilder(value.Length + 2);
        builder.Append('\'');
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': builder.Append("\\\\"); break;
                case '\'': builder.Append("\\'"); break;
                case '\0': builder.Append("\\0"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                default: builder.Append(c); break;
            }
        }

        return builder.Append('\'').ToString();
    }
}
