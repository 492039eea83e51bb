using System.Runtime.CompilerServices;

namespace Pipeline.Blocks.Alerts.Internal;

internal sealed partial class AlertEngine
{
    /// <summary>
    /// One tick: every group's state machine moves (pending → firing → resolved, offline and back, flapping),
    /// notices go to the rules' channels (after the lock is released), and the state file is written when
    /// something changed — at most once per tick.
    /// </summary>
    public void Evaluate() => Evaluate(early: false);

    /// <summary>
    /// An early evaluation: only the groups an event put over a rule without <c>For</c> since the last evaluation
    /// (<see cref="TakeWake"/>) move, so a fleet crossing thresholds all the time does not walk every group ten
    /// times a second. The per-rule gauges wait for the next tick.
    /// </summary>
    public void EvaluateWoken() => Evaluate(early: true);

    // Runs once a second: tiering would keep it at its first tiers for the service's first half minute (and a
    // fleet's worth of groups makes it long), so it is compiled optimised at once.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Evaluate(bool early)
    {
        var notices = new List<(CompiledRule Rule, AlertRuleMetrics Metrics, AlertNotice Notice)>();
        AlertStateWrite? state = null;
        lock (_saveGate)
        {
            lock (_gate)
            {
                var now = _time.GetUtcNow().UtcTicks;
                SeedFromRegistry(now);
                var rules = _rules;
                var adds = new Action<AlertNotice>[rules.Length];
                for (var r = 0; r < rules.Length; r++)
                {
                    var (rule, ruleMetrics) = (rules[r], _ruleMetrics[r]);
                    adds[r] = n => notices.Add((rule, ruleMetrics, n));
                }

                if (early)
                {
                    foreach (var group in _woken)
                    {
                        // Skipped if evicted since it woke: its feed no longer holds it.
                        if (group.IsHeld)
                        {
                            StepGroup(group, now, adds, null);
                        }
                    }
                }
                else
                {
                    var counts = new int[3, rules.Length];
                    foreach (var feed in _feeds)
                    {
                        // Step never adds or removes groups, so the list can be walked as it is.
                        for (var group = feed.Groups.Newest; group is not null; group = group.Older)
                        {
                            StepGroup(group, now, adds, counts);
                        }
                    }

                    for (var r = 0; r < rules.Length; r++)
                    {
                        _ruleMetrics[r].Pending.Set(counts[0, r]);
                        _ruleMetrics[r].Firing.Set(counts[1, r]);
                        _ruleMetrics[r].Offline.Set(counts[2, r]);
                    }
                }

                ClearWoken();
                _metrics.Evaluations.WithLabels(early ? "early" : "tick").Inc();

                // What was notified, or fired, resolved, went offline, is written at this tick: a restart must neither
                // forget it nor notify it again. Pending comings and goings (conditions that flicker around a threshold
                // with a For) only every StaleSaveInterval, so a flickering fleet does not write every tick. An early
                // evaluation writes only if the last write is an interval old; the next tick writes what waits. What
                // is written is the alerts that changed (the journal), or, now and then, all of them (a snapshot).
                var due = !early || now - _savedAt >= _options.EvaluationInterval.Ticks;
                if (_store is not null && due && (_dirty || (_stale && now - _savedAt >= StaleSaveInterval.Ticks)))
                {
                    state = TakeStateWrite();
                    _savedAt = now;
                    _stale = false;
                }

                if (due)
                {
                    _dirty = false;
                }
            }

            // Notified before written: a crash in between notifies again after the restart rather than never.
            foreach (var (rule, metrics, notice) in notices)
            {
                foreach (var channel in rule.Channels)
                {
                    // Never blocks, never throws (the notifier's contract): a full channel counts its own drop.
                    _notifier.Notify(channel, notice);
                    metrics.Notices.Inc();
                }
            }

            if (state is not null)
            {
                Write(state);
            }
        }

        _silences.RemoveExpired();
    }

    /// <summary>Moves the alert of every rule of the group's feed; counts pending, firing and offline per rule into <paramref name="counts"/> when given.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void StepGroup(ObservedGroup group, long now, Action<AlertNotice>[] adds, int[,]? counts)
    {
        var rules = group.Feed.Rules;
        for (var k = 0; k < rules.Length; k++)
        {
            var rule = rules[k];
            var alert = group.Alerts[k];
            if (alert.State == AlertState.Inactive && rule.Windowed && now - group.LastSeen >= rule.Window.Ticks + rule.BucketTicks)
            {
                continue; // nothing left in its window: cannot be over (most idle groups of a big fleet)
            }

            Step(rule, alert, now, _ruleMetrics[rule.Index], adds[rule.Index]);
            if (counts is not null)
            {
                var row = alert.State switch { AlertState.Pending => 0, AlertState.Firing => 1, AlertState.Offline => 2, _ => -1 };
                if (row >= 0)
                {
                    counts[row, rule.Index]++;
                }
            }

            if (rule.FiresAtOnce)
            {
                group.Armed = alert.State == AlertState.Inactive ? group.Armed | rule.Bit : group.Armed & ~rule.Bit;
            }
        }
    }

    private void ClearWoken()
    {
        foreach (var group in _woken)
        {
            group.Woken = false;
        }

        _woken.Clear();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Step(CompiledRule rule, AlertGroup group, long now, AlertRuleMetrics metrics, Action<AlertNotice> notify)
    {
        var connection = Presence(group.Observed);
        var offline = IsOffline(connection);
        if (group.State == AlertState.Offline)
        {
            if (connection is null || offline)
            {
                return; // still away (or not heard of since a restart): frozen, no resolve, no re-fire
            }

            // Back on an open connection: normal evaluation, without a new Firing notice if still over.
            group.State = group.OfflineFrom;
            metrics.Transition(group.State == AlertState.Inactive ? "inactive" : group.State == AlertState.Pending ? "pending" : "firing");
            Changed(rule, group);
        }

        var over = Over(rule, group, now);

        // What a robot sent before it left still counts (errors just before a crash must fire); only absence
        // and the resolving or re-firing of an alert it holds wait for it to come back.
        if (offline && (group.State != AlertState.Inactive || rule.Kind == AlertRuleKind.Absent))
        {
            if (group.State != AlertState.Inactive || (rule.Kind == AlertRuleKind.Absent && over))
            {
                group.OfflineFrom = group.State;
                group.State = AlertState.Offline;
                group.OfflineSince = now;
                metrics.Transition("offline");
                Changed(rule, group);
            }

            return;
        }

        if (over != group.LastOver)
        {
            group.LastOver = over;
            group.LastFlip = now;
        }

        group.Silenced = group.State != AlertState.Inactive && _silences.IsSilenced(Labels(rule, group), At(now));
        switch (group.State)
        {
            case AlertState.Inactive when over:
                if (rule.PendingTicks == 0)
                {
                    Fire(rule, group, now, metrics, notify);
                }
                else
                {
                    group.State = AlertState.Pending;
                    group.PendingSince = now;
                    metrics.Transition("pending");
                    PendingChanged(rule, group);
                }

                break;
            case AlertState.Pending when !over:
                group.State = AlertState.Inactive; // a pending alert that clears never notifies
                metrics.Transition("inactive");
                PendingChanged(rule, group);
                break;
            case AlertState.Pending when now - group.PendingSince >= rule.PendingTicks:
                Fire(rule, group, now, metrics, notify);
                break;
            case AlertState.Firing:
                StepFiring(rule, group, now, over, metrics, notify);
                break;
        }
    }

    private void StepFiring(CompiledRule rule, AlertGroup group, long now, bool over, AlertRuleMetrics metrics, Action<AlertNotice> notify)
    {
        if (group.Flapping)
        {
            if (now - group.LastFlip < _options.Flapping.Within.Ticks)
            {
                return; // held firing until stable
            }

            group.Flapping = false;
            Changed(rule, group);
            if (!over)
            {
                Resolve(rule, group, now, metrics, notify);
                return;
            }
        }

        if (over)
        {
            group.ClearSince = 0;
        }
        else
        {
            if (group.ClearSince == 0)
            {
                group.ClearSince = now;
            }

            if (now - group.ClearSince >= rule.Options.KeepFiringFor.Ticks)
            {
                var limit = _options.Flapping.Changes;
                if (limit > 0 && group.RecordChange(now, _options.Flapping.Within.Ticks, limit) >= limit)
                {
                    // Too many changes: held firing, and channels are told it flaps (once).
                    group.Flapping = true;
                    group.LastFlip = now;
                    Changed(rule, group);
                    metrics.Transition("flapping");
                    Send(rule, group, now, AlertNoticeKind.Firing, metrics, notify);
                    return;
                }

                Resolve(rule, group, now, metrics, notify);
                return;
            }
        }

        if (!group.NotifiedFiring && !group.Silenced)
        {
            // Fired while silenced: the channels hear of it once the silence is over.
            Send(rule, group, now, AlertNoticeKind.Firing, metrics, notify);
        }
        else if (rule.Options.RepeatInterval is { } repeat && now - group.LastNotified >= repeat.Ticks)
        {
            Send(rule, group, now, AlertNoticeKind.Firing, metrics, notify);
        }
    }

    private void Fire(CompiledRule rule, AlertGroup group, long now, AlertRuleMetrics metrics, Action<AlertNotice> notify)
    {
        var limit = _options.Flapping.Changes;
        group.Flapping = limit > 0 && group.RecordChange(now, _options.Flapping.Within.Ticks, limit) >= limit;
        group.State = AlertState.Firing;
        group.FiringSince = now;
        group.ClearSince = 0;
        group.NotifiedFiring = false;
        group.Notifications = 0;
        group.LastFlip = now;
        metrics.Transition("firing");
        Changed(rule, group);
        Send(rule, group, now, AlertNoticeKind.Firing, metrics, notify);
    }

    private void Resolve(CompiledRule rule, AlertGroup group, long now, AlertRuleMetrics metrics, Action<AlertNotice> notify)
    {
        var notified = group.NotifiedFiring;
        if (notified)
        {
            Send(rule, group, now, AlertNoticeKind.Resolved, metrics, notify);
        }

        group.State = AlertState.Inactive;
        group.NotifiedFiring = false;
        group.Flapping = false;
        metrics.Transition("resolved");
        Changed(rule, group);
        if (_options.RecentResolved > 0)
        {
            if (_resolved.Count >= _options.RecentResolved)
            {
                _resolved.Dequeue();
            }

            _resolved.Enqueue(new ResolvedAlert(rule.Name, group.GroupKey, group.Fingerprint, Labels(rule, group),
                At(group.FiringSince), At(now), group.Notifications, notified));
        }
    }

    /// <summary>Whether the group's condition holds now, from its feed's observations; sets its value and count. Hysteresis applies while firing.</summary>
    private static bool Over(CompiledRule rule, AlertGroup group, long now)
    {
        var observed = group.Observed;
        var firing = group.State == AlertState.Firing || (group.State == AlertState.Offline && group.OfflineFrom == AlertState.Firing);
        switch (rule.Kind)
        {
            case AlertRuleKind.Absent:
                group.Value = TimeSpan.FromTicks(now - observed.LastSeen).TotalSeconds;
                group.Count = 0;
                return now - observed.LastSeen >= rule.Options.For.Ticks;
            case AlertRuleKind.Attribute:
                if (rule.ConditionSlot >= 0)
                {
                    group.Value = double.NaN;
                    group.Count = 1;
                    return observed.Met(rule.ConditionSlot);
                }

                var value = rule.ValueSlot >= 0 ? observed.Value(rule.ValueSlot) : double.NaN;
                group.Value = value;
                group.Count = 1;
                if (rule.Condition is not { } condition || double.IsNaN(value))
                {
                    return false;
                }

                return firing && rule.Options.ResolveBelow is not null ? condition.Holds(value, rule.ResolveAt) : condition.Meets(value);
            default:
                var count = rule.WindowSlot >= 0 ? observed.Window(rule.WindowSlot).Sum(now, rule.BucketTicks) : 0;
                group.Count = count;
                group.Value = rule.Kind == AlertRuleKind.Rate ? count / rule.Window.TotalSeconds : count;
                return group.Value >= (firing ? rule.ResolveAt : rule.Threshold);
        }
    }
}
