namespace Pipeline.Blocks.Routes;

/// <summary>
/// The placeholders a routing-key template may hold, shared by the routes' validation and the
/// RabbitMQ sink's template compiler.
/// </summary>
public static class RoutingKeyTemplateSyntax
{
    public static readonly string[] Placeholders = ["level", "type", "robot_id", "site", "level_code"];

    /// <summary>Null when <paramref name="template"/> is fine, otherwise what is wrong with it.</summary>
    public static string? Check(string template) => Check(template, Placeholders);

    /// <summary>As <see cref="Check(string)"/>, for a template of other <paramref name="placeholders"/> (the alert channels').</summary>
    public static string? Check(string template, string[] placeholders)
    {
        if (template.Length == 0)
        {
            return "must not be empty.";
        }

        var i = 0;
        while (i < template.Length)
        {
            var open = template.IndexOf('{', i);
            var close = template.IndexOf('}', i);
            if (open < 0)
            {
                return close < 0 ? null : $"'}}' without '{{' at {close} in '{template}'.";
            }

            if (close >= 0 && close < open)
            {
                return $"'}}' without '{{' at {close} in '{template}'.";
            }

            var end = template.IndexOf('}', open);
            if (end < 0)
            {
                return $"'{{' without '}}' at {open} in '{template}'.";
            }

            var name = template[(open + 1)..end];
            if (Array.IndexOf(placeholders, name) < 0)
            {
                return $"unknown placeholder '{{{name}}}' in '{template}' (known: {{{string.Join("}, {", placeholders)}}}).";
            }

            i = end + 1;
        }

        return null;
    }
}
