using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace Pipeline.Storage.Alerting.Webhook;

/// <summary>
/// Alertmanager's webhook JSON, version 4: one alert per group of the digest. A group's
/// <c>annotations</c> carry its <c>count</c> (summed notice counts) and <c>examples</c> (up to three, one
/// per line); groups beyond <c>MaxGroups</c> are one more alert, <c>alertname="pipeline_remainder"</c>,
/// whose <c>count</c> is their events, and <c>truncatedAlerts</c> is how many groups it stands for.
/// </summary>
internal static class WebhookBody
{
    /// <summary>Alertmanager's <c>endsAt</c> of an alert still firing.</summary>
    private static readonly DateTimeOffset Zero = new(1, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static byte[] Encode(AlertMessage message, string externalUrl)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("version", "4");
            json.WriteString("groupKey", GroupKey(message));
            json.WriteNumber("truncatedAlerts", message.OtherGroups);
            json.WriteString("status", message.Status);
            json.WriteString("receiver", message.Channel);
            json.WriteStartObject("groupLabels");
            if (SingleSource(message) is { } source)
            {
                json.WriteString("alertname", source);
            }

            json.WriteEndObject();
            WriteMap(json, "commonLabels", Common(message, static g => g.Labels));
            WriteMap(json, "commonAnnotations", Common(message, static g => g.Annotations));
            json.WriteString("externalURL", externalUrl);
            json.WriteStartArray("alerts");
            foreach (var group in message.Groups)
            {
                WriteAlert(json, group);
            }

            if (message.OtherGroups > 0)
            {
                WriteRemainder(json, message);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteAlert(Utf8JsonWriter json, AlertGroup group)
    {
        json.WriteStartObject();
        json.WriteString("status", group.Status);
        json.WriteStartObject("labels");
        var hasName = false;
        foreach (var (key, value) in group.Labels)
        {
            json.WriteString(key, value);
            hasName |= key == "alertname";
        }

        if (!hasName)
        {
            json.WriteString("alertname", group.Source);
        }

        if (!group.Labels.ContainsKey("severity"))
        {
            json.WriteString("severity", group.Severity);
        }

        json.WriteEndObject();
        json.WriteStartObject("annotations");
        foreach (var (key, value) in group.Annotations)
        {
            if (key is not ("count" or "examples" or "group_key" or "kind"))
            {
                json.WriteString(key, value);
            }
        }

        json.WriteString("count", group.Count.ToString(CultureInfo.InvariantCulture));
        json.WriteString("group_key", group.GroupKey);
        json.WriteString("kind", group.Kind.ToString().ToLowerInvariant());
        if (group.Examples.Count > 0)
        {
            json.WriteString("examples", string.Join('\n', group.Examples));
        }

        json.WriteEndObject();
        json.WriteString("startsAt", Rfc3339(group.StartsAt));
        json.WriteString("endsAt", Rfc3339(group.EndsAt ?? Zero));
        json.WriteString("generatorURL", "");
        json.WriteString("fingerprint", group.Fingerprint);
        json.WriteEndObject();
    }

    private static void WriteRemainder(Utf8JsonWriter json, AlertMessage message)
    {
        json.WriteStartObject();
        json.WriteString("status", "firing");
        json.WriteStartObject("labels");
        json.WriteString("alertname", "pipeline_remainder");
        json.WriteEndObject();
        json.WriteStartObject("annotations");
        json.WriteString("summary", $"and {message.OtherGroups} more groups, {message.OtherCount} events");
        json.WriteString("count", message.OtherCount.ToString(CultureInfo.InvariantCulture));
        json.WriteEndObject();
        var starts = message.Groups.Count > 0 ? message.Groups[0].StartsAt : Zero;
        json.WriteString("startsAt", Rfc3339(starts));
        json.WriteString("endsAt", Rfc3339(Zero));
        json.WriteString("generatorURL", "");
        json.WriteString("fingerprint", "0000000000000000");
        json.WriteEndObject();
    }

    /// <summary>RFC 3339 in UTC with a <c>Z</c>, as Alertmanager writes times.</summary>
    private static string Rfc3339(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    private static string GroupKey(AlertMessage message) =>
        message.Groups.Count == 1 && message.OtherGroups == 0
            ? $"{{}}:{{alertname=\"{message.Groups[0].Source}\",group=\"{message.Groups[0].GroupKey}\"}}"
            : $"{{}}:{{receiver=\"{message.Channel}\"}}";

    private static string? SingleSource(AlertMessage message)
    {
        string? source = null;
        foreach (var group in message.Groups)
        {
            if (source is not null && source != group.Source)
            {
                return null;
            }

            source = group.Source;
        }

        return message.OtherGroups == 0 ? source : null;
    }

    /// <summary>The pairs every group has with the same value (Alertmanager's common labels and annotations).</summary>
    private static List<KeyValuePair<string, string>> Common(AlertMessage message, Func<AlertGroup, IReadOnlyDictionary<string, string>> of)
    {
        var common = new List<KeyValuePair<string, string>>();
        if (message.Groups.Count == 0 || message.OtherGroups > 0)
        {
            return common;
        }

        foreach (var pair in of(message.Groups[0]))
        {
            var everywhere = true;
            for (var i = 1; i < message.Groups.Count && everywhere; i++)
            {
                everywhere = of(message.Groups[i]).TryGetValue(pair.Key, out var other) && other == pair.Value;
            }

            if (everywhere)
            {
                common.Add(pair);
            }
        }

        return common;
    }

    private static void WriteMap(Utf8JsonWriter json, string name, List<KeyValuePair<string, string>> pairs)
    {
        json.WriteStartObject(name);
        foreach (var (key, value) in pairs)
        {
            json.WriteString(key, value);
        }

        json.WriteEndObject();
    }
}
