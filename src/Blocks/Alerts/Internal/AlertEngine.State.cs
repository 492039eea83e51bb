using Microsoft.Extensions.Logging;
using Pipeline.Blocks.PatternMine.Internal;

namespace Pipeline.Blocks.Alerts.Internal;

internal sealed partial class AlertEngine
{
    /// <summary>Writes a snapshot now (at stop), whatever changed: a restart then reads one file.</summary>
    public void Flush()
    {
        lock (_saveGate)
        {
            AlertStateWrite? state = null;
            lock (_gate)
            {
                if (_store is not null)
                {
                    state = Snapshot();
                }

                _dirty = false;
                _stale = false;
            }

            if (state is not null)
            {
                Write(state);
            }
        }
    }

    /// <summary>An alert's state changed in a way a restart must know at once (fired, notified, resolved, offline, flapping).</summary>
    private void Changed(CompiledRule rule, AlertGroup alert)
    {
        _dirty = true;
        Track(rule, alert);
    }

    /// <summary>An alert went pending or left it: written within <see cref="StaleSaveInterval"/>.</summary>
    private void PendingChanged(CompiledRule rule, AlertGroup alert)
    {
        _stale = true;
        Track(rule, alert);
    }

    private void Track(CompiledRule rule, AlertGroup alert)
    {
        if (_store is not null && !alert.Journaled)
        {
            alert.Journaled = true;
            _changed.Add((rule, alert));
        }
    }

    /// <summary>The next save writes every alert (the journal cannot say what happened: rules reloaded, a held alert evicted, a write failed).</summary>
    private void RequireSnapshot() => _snapshotDue = true;

    /// <summary>
    /// What this save writes: the alerts changed since the last one, for the journal; or a snapshot when one is due or
    /// the journal has outgrown the last snapshot (so replaying it at start never costs more than reading one).
    /// </summary>
    private AlertStateWrite TakeStateWrite()
    {
        if (_snapshotDue || _journalLines + _changed.Count > Math.Max(MinJournalLines, _snapshotAlerts))
        {
            return Snapshot();
        }

        var changes = new List<AlertStateEntry>(_changed.Count);
        foreach (var (rule, alert) in _changed)
        {
            alert.Journaled = false;
            changes.Add(alert.IsActive ? Entry(rule, alert.Observed, alert) : new AlertStateEntry
            {
                Rule = rule.Name, Signature = rule.Signature, Key = Convert.ToBase64String(alert.Observed.Key), Removed = true,
            });
        }

        _changed.Clear();
        _journalLines += changes.Count;
        return new AlertStateWrite(null, changes, _generation);
    }

    private AlertStateWrite Snapshot()
    {
        foreach (var (_, alert) in _changed)
        {
            alert.Journaled = false;
        }

        _changed.Clear();
        var file = CaptureState();
        file.Generation = ++_generation;
        _journalLines = 0;
        _snapshotAlerts = file.Alerts.Count;
        _snapshotDue = false;
        return new AlertStateWrite(file, [], _generation);
    }

    /// <summary>Writes a save (under <c>_saveGate</c>, outside <c>_gate</c>); a failed one makes the next a snapshot, so nothing it held is lost for good.</summary>
    private void Write(AlertStateWrite state)
    {
        var written = state.Snapshot is { } snapshot ? _store!.WriteSnapshot(snapshot) : _store!.Append(state.Generation, state.Changes);
        if (!written)
        {
            lock (_gate)
            {
                RequireSnapshot();
            }
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
                if (g.IsActive)
                {
                    file.Alerts.Add(Entry(rule, o, g));
                }
            }
        }

        return file;
    }

    private static AlertStateEntry Entry(CompiledRule rule, ObservedGroup o, AlertGroup g)
    {
        var value = rule.ValueSlot >= 0 ? o.Value(rule.ValueSlot) : double.NaN;
        return new AlertStateEntry
        {
            Rule = rule.Name, Signature = rule.Signature, Key = Convert.ToBase64String(o.Key), State = g.State, OfflineFrom = g.OfflineFrom,
            PendingSince = g.PendingSince, FiringSince = g.FiringSince, ClearSince = g.ClearSince, OfflineSince = g.OfflineSince,
            NotifiedFiring = g.NotifiedFiring, LastNotified = g.LastNotified, Notifications = g.Notifications, Flapping = g.Flapping,
            LastFlip = g.LastFlip, Changes = [.. g.Changes], ChangeCount = g.ChangeCount, LastSeen = o.LastSeen,
            LastValue = double.IsNaN(value) ? null : value, LastMet = rule.ConditionSlot >= 0 && o.Met(rule.ConditionSlot),
            Head = rule.WindowSlot >= 0 ? o.Window(rule.WindowSlot).Head : 0,
            Buckets = rule.WindowSlot >= 0 ? o.Window(rule.WindowSlot).Snapshot() : [],
        };
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
        var o = feed.Find(hash, key);
        if (o is null)
        {
            o = NewGroup(feed, feed.Index.Find(hash, key) ?? feed.Index.Add(hash, key));
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
        if (rule.ValueSlot >= 0 && double.IsNaN(o.Value(rule.ValueSlot)))
        {
            o.SetValue(rule.ValueSlot, entry.LastValue ?? double.NaN);
        }

        if (rule.ConditionSlot >= 0)
        {
            o.SetMet(rule.ConditionSlot, o.Met(rule.ConditionSlot) || entry.LastMet);
        }

        if (rule.WindowSlot >= 0)
        {
            var window = o.Window(rule.WindowSlot);
            if (window.Total == 0 && window.Head == 0 && entry.Buckets.Length == window.BucketCount)
            {
                window.Restore(entry.Head, entry.Buckets);
            }
        }

        o.Armed = feed.Arm(o.Alerts);
        return true;
    }

    private void LoadState()
    {
        if (_store?.Load() is not { } loaded)
        {
            return;
        }

        _generation = loaded.Generation;
        _dirty = loaded.JournalLines > 0; // the first tick folds the journal into a snapshot
        var restored = 0;
        foreach (var entry in loaded.Alerts)
        {
            restored += Restore(entry) ? 1 : 0;
        }

        AlertsLog.StateLoaded(_logger, restored, _store.SnapshotPath);
    }
}
