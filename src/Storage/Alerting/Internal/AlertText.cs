using System.Globalization;
using System.Text;
using Pipeline.Blocks.Alerts;

namespace Pipeline.Storage.Alerting.Internal;

/// <summary>
/// The readable digest that Telegram and e-mail send: a headline with the counts, then per group its
/// kind, source, group key, count, summary and up to three examples, then the remainder.
/// </summary>
internal static class AlertText
{
    public static string Headline(AlertMessage message)
    {
        if (message.Groups.Count == 1 && message.OtherGroups == 0)
        {
            var group = message.Groups[0];
            return $"{Word(group.Kind)}: {Name(group)} ({Events(group.Count)})";
        }

        var groups = message.Groups.Count + message.OtherGroups;
        return $"{message.Status.ToUpperInvariant()}: {groups} {(groups == 1 ? "group" : "groups")}, {Events(message.TotalCount)}";
    }

    public static string Body(AlertMessage message)
    {
        var text = new StringBuilder();
        text.Append(Headline(message)).Append('\n');
        foreach (var group in message.Groups)
        {
            text.Append('\n').Append('[').Append(Word(group.Kind)).Append("] ").Append(Name(group))
                .Append(" — ").Append(Events(group.Count)).Append(", ").Append(group.Severity);
            if (group.Flapping)
            {
                text.Append(", flapping");
            }

            text.Append('\n');
            if (group.Value is { } value)
            {
                text.Append("  value: ").Append(value.ToString("G6", CultureInfo.InvariantCulture)).Append('\n');
            }

            foreach (var key in (ReadOnlySpan<string>)["summary", "description"])
            {
                if (group.Annotations.TryGetValue(key, out var annotation) && annotation.Length > 0)
                {
                    text.Append("  ").Append(key).Append(": ").Append(annotation).Append('\n');
                }
            }

            foreach (var example in group.Examples)
            {
                text.Append("  • ").Append(example).Append('\n');
            }
        }

        if (message.OtherGroups > 0)
        {
            text.Append("\n… and ").Append(message.OtherGroups).Append(message.OtherGroups == 1 ? " more group, " : " more groups, ")
                .Append(Events(message.OtherCount)).Append('\n');
        }

        return text.ToString();
    }

    private static string Name(AlertGroup group) => group.GroupKey.Length > 0 ? $"{group.Source} {group.GroupKey}" : group.Source;

    private static string Events(long count) => count == 1 ? "1 event" : $"{count} events";

    private static string Word(AlertNoticeKind kind) => kind switch
    {
        AlertNoticeKind.Firing => "FIRING",
        AlertNoticeKind.Resolved => "RESOLVED",
        AlertNoticeKind.Event => "EVENT",
        _ => "TEST",
    };
}
