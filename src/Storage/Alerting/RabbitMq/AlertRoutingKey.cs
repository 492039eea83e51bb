using System.Text;
using Pipeline.Blocks.Routes;

namespace Pipeline.Storage.Alerting.RabbitMq;

/// <summary>
/// The RabbitMQ channel's routing-key template: <c>{severity}</c>, <c>{alertname}</c>, <c>{kind}</c>,
/// <c>{status}</c> of a digest's first group. A value's dots, <c>*</c>, <c>#</c> and whitespace become
/// <c>_</c> (a value never adds topic words); an empty value is <c>none</c>.
/// </summary>
internal static class AlertRoutingKey
{
    private static readonly string[] Placeholders = ["severity", "alertname", "kind", "status"];

    /// <summary>What is wrong with <paramref name="template"/>, or null.</summary>
    public static string? Check(string template) =>
        RoutingKeyTemplateSyntax.Check(template, Placeholders) ??
        (Encoding.UTF8.GetByteCount(template) > 255 ? "must be at most 255 bytes." : null);

    /// <summary>The key for <paramref name="group"/>; the template passed <see cref="Check"/>.</summary>
    public static string Expand(string template, AlertGroup group)
    {
        var key = new StringBuilder(template.Length + 32);
        for (var i = 0; i < template.Length; i++)
        {
            if (template[i] != '{')
            {
                key.Append(template[i]);
                continue;
            }

            var end = template.IndexOf('}', i);
            var value = template[(i + 1)..end] switch
            {
                "severity" => group.Severity,
                "alertname" => group.Source,
                "kind" => group.Kind.ToString().ToLowerInvariant(),
                _ => group.Status,
            };
            AppendWord(key, value);
            i = end;
        }

        return key.ToString();
    }

    private static void AppendWord(StringBuilder key, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            key.Append("none");
            return;
        }

        foreach (var c in value)
        {
            key.Append(c is '.' or '*' or '#' || char.IsWhiteSpace(c) ? '_' : c);
        }
    }
}
