using System.Globalization;
using System.Text;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.PatternMine.Internal;

namespace Pipeline.Blocks.Alerts.Internal;

internal sealed partial class AlertEngine
{
    /// <summary>Builds a notice and hands it on, unless a silence covers the group (counted).</summary>
    private void Send(CompiledRule rule, AlertGroup group, long now, AlertNoticeKind kind, AlertRuleMetrics metrics, Action<AlertNotice> notify)
    {
        var labels = Labels(rule, group);
        group.Silenced = _silences.IsSilenced(labels, At(now));
        if (group.Silenced)
        {
            metrics.Silenced.Inc();
            return;
        }

        notify(new AlertNotice
        {
            Source = rule.Name,
            Kind = kind,
            GroupKey = group.GroupKey,
            Fingerprint = group.Fingerprint,
            Labels = labels,
            Annotations = Annotations(rule, group),
            StartsAt = At(group.FiringSince),
            EndsAt = kind == AlertNoticeKind.Resolved ? At(now) : null,
            Value = double.IsNaN(group.Value) ? null : group.Value,
            Count = Math.Max(group.Count, 1),
            Flapping = group.Flapping,
            Example = group.Observed is { Example: { } example, ExampleLength: > 0 } o ? Encoding.UTF8.GetString(example, 0, o.ExampleLength) : null,
            Severity = rule.Options.Severity,
        });
        group.Notifications++;
        group.LastNotified = now;
        if (kind == AlertNoticeKind.Firing)
        {
            group.NotifiedFiring = true;
        }

        Changed(rule, group);
    }

    private static IReadOnlyDictionary<string, string> Labels(CompiledRule rule, AlertGroup group)
    {
        if (group.AllLabels is { } cached && ReferenceEquals(group.AllLabelsOf, rule))
        {
            return cached;
        }

        var labels = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["alertname"] = rule.Name,
            ["severity"] = rule.Options.Severity,
        };
        foreach (var (name, value) in rule.Options.Labels)
        {
            labels[name] = value;
        }

        foreach (var (name, value) in group.Labels)
        {
            labels[name] = value;
        }

        group.AllLabels = labels;
        group.AllLabelsOf = rule;
        return labels;
    }

    private static Dictionary<string, string> Annotations(CompiledRule rule, AlertGroup group)
    {
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, template) in rule.Options.Annotations)
        {
            annotations[name] = AlertRuleOptions.Placeholder().Replace(template ?? "", m => m.Groups[1].Value switch
            {
                "value" => double.IsNaN(group.Value) ? "" : Math.Round(group.Value, 3).ToString(CultureInfo.InvariantCulture),
                "count" => group.Count.ToString(CultureInfo.InvariantCulture),
                "rule" => rule.Name,
                var label => group.Labels.TryGetValue(label, out var v) ? v : "",
            });
        }

        return annotations;
    }

    /// <summary>Routes with channels: one Event notice per channel for each matching event (this allocates; unrouted events do not).</summary>
    private void NotifyRoutes(EventBatch batch, ref readonly EventRecord e)
    {
        foreach (var route in _routes)
        {
            if (!route.Matches(batch, in e))
            {
                continue;
            }

            if (route.Options.Channels.Count > 0)
            {
                var robot = Unescape(batch[e.RobotId]);
                var level = e.Level.ToString().ToLowerInvariant();
                var line = e.Line >= 0 && e.Line < batch.LineCount ? batch.GetLine(e.Line) : batch[e.Msg];
                var notice = new AlertNotice
                {
                    Source = route.Name,
                    Kind = AlertNoticeKind.Event,
                    GroupKey = $"robot_id={robot}",
                    Fingerprint = Hex(StableHash.Hash(Encoding.UTF8.GetBytes(route.Name + "\n" + robot))),
                    Labels = new Dictionary<string, string>(StringComparer.Ordinal)
                    {
                        ["route"] = route.Name,
                        ["robot_id"] = robot,
                        ["level"] = level,
                        ["type"] = Unescape(batch[e.Type]),
                    },
                    StartsAt = DateTimeOffset.FromUnixTimeMilliseconds(e.Timestamp),
                    Count = 1,
                    Example = Encoding.UTF8.GetString(line),
                    Severity = level,
                };
                foreach (var channel in route.Options.Channels)
                {
                    _notifier.Notify(channel, notice);
                }
            }

            if (!route.Continue)
            {
                return;
            }
        }
    }
}
