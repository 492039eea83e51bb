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
            foreach (var g in rule.Groups.Snapshot())
            {
                if (!g.IsActive)
                {
                    continue;
                }

                file.Alerts.Add(new AlertStateEntry
                {
                    Rule = rule.Name, Signature = rule.Signature, Key = Convert.ToBase64String(g.Key), State = g.State, OfflineFrom = g.OfflineFrom,
                    PendingSince = g.PendingSince, FiringSince = g.FiringSince, ClearSince = g.ClearSince, OfflineSince = g.OfflineSince,
                    NotifiedFiring = g.NotifiedFiring, LastNotified = g.LastNotified, Notifications = g.Notifications, Flapping = g.Flapping,
                    LastFlip = g.LastFlip, Changes = [.. g.Changes], ChangeCount = g.ChangeCount, LastSeen = g.LastSeen,
                    LastValue = double.IsNaN(g.LastValue) ? null : g.LastValue, LastMet = g.LastMet, Head = g.Head, Buckets = g.SnapshotBuckets(),
                });
            }
        }

        return file;
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
            var rule = Array.Find(_rules, r => r.Name == entry.Rule && r.Signature == entry.Signature);
            if (rule is null)
            {
                continue; // the rule is gone or means something else now
            }

            var key = Convert.FromBase64String(entry.Key);
            var hash = StableHash.Hash(key);
            if (rule.Groups.Find(hash, key) is not null)
            {
                continue;
            }

            var g = NewGroup(rule, key, hash);
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
            g.LastSeen = entry.LastSeen;
            g.LastValue = entry.LastValue ?? double.NaN;
            g.LastMet = entry.LastMet;
            g.LastOver = entry.State == AlertState.Firing;
            if (entry.Buckets.Length == g.Buckets.Length)
            {
                g.RestoreBuckets(entry.Head, entry.Buckets, rule.BucketTicks);
            }

            rule.Groups.Add(g, out _);
            restored++;
        }

        AlertsLog.StateLoaded(_logger, restored, _statePath);
    }
}
