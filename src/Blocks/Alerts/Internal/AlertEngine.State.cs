using System.Text.Json;
using Microsoft.Extensions.Logging;
using Pipeline.Blocks.PatternMine.Internal;

namespace Pipeline.Blocks.Alerts.Internal;

internal sealed partial class AlertEngine
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    /// <summary>Writes <c>state.json</c> now (at stop), whatever changed.</summary>
    public void Flush()
    {
        AlertStateFile? state = null;
        lock (_gate)
        {
            if (_statePath is not null)
            {
                state = CaptureState();
            }

            _dirty = false;
            _stale = false;
        }

        if (state is not null)
        {
            SaveState(state);
        }
    }

    private AlertStateFile CaptureState()
    {
        var file = new AlertStateFile();
        foreach (var rule in _rules)
        {
            for (var o = rule.Feed.Groups.Newest; o is not null; o = o.Older)
            {
                var g = o.Alerts[rule.FeedIndex];
                if (!g.IsActive)
                {
                    continue;
                }

                var value = rule.ValueSlot >= 0 ? o.Values[rule.ValueSlot] : double.NaN;
                file.Alerts.Add(new AlertStateEntry
                {
                    Rule = rule.Name, Signature = rule.Signature, Key = Convert.ToBase64String(o.Key), State = g.State, OfflineFrom = g.OfflineFrom,
                    PendingSince = g.PendingSince, FiringSince = g.FiringSince, ClearSince = g.ClearSince, OfflineSince = g.OfflineSince,
                    NotifiedFiring = g.NotifiedFiring, LastNotified = g.LastNotified, Notifications = g.Notifications, Flapping = g.Flapping,
                    LastFlip = g.LastFlip, Changes = [.. g.Changes], ChangeCount = g.ChangeCount, LastSeen = o.LastSeen,
                    LastValue = double.IsNaN(value) ? null : value, LastMet = rule.ConditionSlot >= 0 && o.Met[rule.ConditionSlot],
                    Head = rule.WindowSlot >= 0 ? o.Windows[rule.WindowSlot].Head : 0,
                    Buckets = rule.WindowSlot >= 0 ? o.Windows[rule.WindowSlot].Snapshot() : [],
                });
            }
        }

        return file;
    }

    /// <summary>
    /// Puts a saved alert back into its rule's feed, finding or making its group by key; false when the rule is
    /// gone, means something else now, or already holds an alert for the group. Observations the group has not
    /// seen yet (its window, value, last seen) come from the entry too.
    /// </summary>
    private bool Restore(AlertStateEntry entry)
    {
        var rule = Array.Find(_rules, r => r.Name == entry.Rule && r.Signature == entry.Signature);
        if (rule is null)
        {
            return false;
        }

        var feed = rule.Feed;
        var key = Convert.FromBase64String(entry.Key);
        var hash = StableHash.Hash(key);
        var o = feed.Groups.Find(hash, key);
        if (o is null)
        {
            o = NewGroup(feed, key, hash);
            Add(feed, o);
        }

        var g = o.Alerts[rule.FeedIndex];
        if (g.State != AlertState.Inactive)
        {
            return false;
        }

        g.State = entry.State;
        g.OfflineFrom = entry.OfflineFrom;
        g.PendingSince = entry.PendingSince;
        g.FiringSince = entry.FiringSince;
        g.ClearSince = entry.ClearSince;
        g.OfflineSince = entry.OfflineSince;
        g.NotifiedFiring = entry.NotifiedFiring;
        g.LastNotified = entry.LastNotified;
        g.Notifications = entry.Notifications;
        g.Flapping = entry.Flapping;
        g.LastFlip = entry.LastFlip;
        g.Changes = entry.Changes;
        g.ChangeCount = entry.ChangeCount;
        g.LastOver = entry.State == AlertState.Firing;
        o.LastSeen = Math.Max(o.LastSeen, entry.LastSeen);
        if (rule.ValueSlot >= 0 && double.IsNaN(o.Values[rule.ValueSlot]))
        {
            o.Values[rule.ValueSlot] = entry.LastValue ?? double.NaN;
        }

        if (rule.ConditionSlot >= 0)
        {
            o.Met[rule.ConditionSlot] |= entry.LastMet;
        }

        if (rule.WindowSlot >= 0)
        {
            ref var window = ref o.Windows[rule.WindowSlot];
            if (window.Total == 0 && window.Head == 0 && entry.Buckets.Length == window.BucketCount)
            {
                window.Restore(entry.Head, entry.Buckets, rule.BucketTicks);
            }
        }

        o.Armed = feed.Arm(o.Alerts);
        return true;
    }

    /// <summary>Written to a temporary file and moved over the old one: a crash leaves the old state or the new, never half.</summary>
    private void SaveState(AlertStateFile state)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_statePath!)!);
            var temporary = _statePath + ".tmp";
            File.WriteAllBytes(temporary, JsonSerializer.SerializeToUtf8Bytes(state, Json));
            File.Move(temporary, _statePath!, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            AlertsLog.StateSaveFailed(_logger, _statePath!, ex);
        }
    }

    private void LoadState()
    {
        if (_statePath is null || !File.Exists(_statePath))
        {
            return;
        }

        AlertStateFile? file;
        try
        {
            file = JsonSerializer.Deserialize<AlertStateFile>(File.ReadAllBytes(_statePath), Json);
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            AlertsLog.StateLoadFailed(_logger, _statePath, ex);
            return;
        }

        var restored = 0;
        foreach (var entry in file?.Alerts ?? [])
        {
            restored += Restore(entry) ? 1 : 0;
        }

        AlertsLog.StateLoaded(_logger, restored, _statePath);
    }
}
