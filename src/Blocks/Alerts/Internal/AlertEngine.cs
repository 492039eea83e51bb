using Microsoft.Extensions.Logging;
using Pipeline.Blocks.Enrich;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Routes;

namespace Pipeline.Blocks.Alerts.Internal;

/// <summary>
/// The rules, their feeds (what rules of the same match and group-by observe, kept once), groups and state
/// machines. Batches update the feeds' groups (<see cref="Process"/>, allocation-free unless a group is new or an
/// event is routed to channels); the tick (<see cref="Evaluate"/>) moves every rule's alerts and notifies. One lock
/// guards the state: the block has one thread, the tick another, and the API reads.
/// </summary>
internal sealed partial class AlertEngine
{
    private readonly object _gate = new();
    private readonly AlertsOptions _options;
    private readonly IAlertNotifier _notifier;
    private readonly SilenceStore _silences;
    private readonly IFleetRegistrySource? _registry;
    private readonly TimeProvider _time;
    private readonly AlertMetrics _metrics;
    private readonly ILogger _logger;
    private readonly AlertStateStore? _store;
    private readonly object _saveGate = new(); // taken before _gate: saves are written in the order they were taken
    private readonly CompiledRoute[] _routes;
    private readonly bool _routesNotify;
    private readonly Queue<ResolvedAlert> _resolved = new();
    private readonly RobotPresence _presence;
    private bool _wake;
    private readonly List<ObservedGroup> _woken = [];
    private CompiledRule[] _rules;
    private AlertFeed[] _feeds;
    private FeedIndex _feedIndex = null!; // made with the feeds
    private AlertRuleMetrics[] _ruleMetrics;
    private FleetRegistry? _seededFrom;
    private byte[] _key = new byte[256];
    /// <summary>How long pending-only changes may wait before the state is written.</summary>
    internal static readonly TimeSpan StaleSaveInterval = TimeSpan.FromSeconds(10);

    /// <summary>Journal lines below which a snapshot is not rewritten (past it: when the journal outgrows the snapshot).</summary>
    internal const int MinJournalLines = 1024;

    private bool _dirty;
    private bool _stale;
    private long _savedAt;

    // The state on disk: the snapshot generation, whether the next save must be a snapshot (at start, after a
    // reload, an eviction of a held alert or a failed write), the journal's length, and the alerts changed since.
    private long _generation;
    private bool _snapshotDue = true;
    private int _journalLines;
    private int _snapshotAlerts;
    private readonly List<(CompiledRule Rule, AlertGroup Alert)> _changed = [];

    // Per-event caches of Process (under the lock): the row of the event's key in the last index, the last numeric attribute read.
    private GroupIndex? _rowIndex;
    private GroupRow? _row;
    private long _batchStamp; // which batch a group's decided attribute slots are of
    private AttributeReader _attributes = null!; // made with the feeds
    private bool _attributesRead;
    private string? _attributePath;
    private bool _attributePresent;
    private double _attributeValue;

    public AlertEngine(AlertsOptions options, IReadOnlyList<CompiledRule> rules, RouteTable routes, IAlertNotifier notifier,
        SilenceStore silences, IFleetRegistrySource? registry, TimeProvider time, AlertMetrics metrics, ILogger logger, string? directory)
    {
        _options = options;
        _notifier = notifier;
        _silences = silences;
        _registry = registry;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        _presence = new RobotPresence(options.MaxGroupsPerRule);
        _store = directory is null ? null : new AlertStateStore(directory, logger);
        _routes = [.. Enumerable.Range(0, routes.Count).Select(i => routes[i])];
        _routesNotify = Array.Exists(_routes, r => r.Options.Channels.Count > 0);
        _rules = [.. rules];
        _feeds = BuildFeeds(_rules);
        _ruleMetrics = [.. _rules.Select(r => metrics.ForRule(r.Name))];
        metrics.Rules.Set(_rules.Length);
        LoadState();
    }

    public int RuleCount => Volatile.Read(ref _rules).Length;

    /// <summary>
    /// Swaps in new rules. A feed of the same signature keeps its groups (windows, values, last seen); a rule with
    /// the same name and meaning keeps its alerts — carried with its feed, or restored by key into its new feed
    /// when its match changed (as a restart restores them from <c>state.json</c>).
    /// </summary>
    public void ReplaceRules(IReadOnlyList<CompiledRule> rules)
    {
        lock (_gate)
        {
            var active = CaptureState().Alerts; // before the rules take their new feeds
            var previous = _feeds.ToList();
            foreach (var old in _rules)
            {
                if (!rules.Any(r => r.Name == old.Name))
                {
                    var m = _metrics.ForRule(old.Name);
                    m.Pending.Set(0);
                    m.Firing.Set(0);
                    m.Offline.Set(0);
                }
            }

            _rules = [.. rules];
            _feeds = BuildFeeds(_rules);
            foreach (var feed in _feeds)
            {
                var same = previous.Find(f => f.Signature == feed.Signature);
                if (same is not null)
                {
                    previous.Remove(same); // one heir per feed
                    feed.Adopt(same);
                }
            }

            _ruleMetrics = [.. _rules.Select(r => _metrics.ForRule(r.Name))];
            ClearWoken(); // the next tick steps every group of the new feeds
            foreach (var entry in active)
            {
                Restore(entry);
            }

            _metrics.Rules.Set(_rules.Length);
            _seededFrom = null;
            _dirty = true;
            RequireSnapshot(); // the journal's alerts are the old feeds' objects
        }
    }

    /// <summary>
    /// Puts each rule into the feed of its signature (a new one past <see cref="AlertFeed.MaxRules"/>) and gives each
    /// numeric attribute path its slot in one reader for all of them (one walk of the attributes per event).
    /// </summary>
    private AlertFeed[] BuildFeeds(CompiledRule[] rules)
    {
        var feeds = new List<AlertFeed>();
        for (var i = 0; i < rules.Length; i++)
        {
            var rule = rules[i];
            rule.Index = i;
            var feed = feeds.FindLast(f => f.Signature == rule.FeedSignature && !f.IsFull);
            if (feed is null)
            {
                feeds.Add(new AlertFeed(rule, _options.MaxGroupsPerRule));
            }
            else
            {
                feed.Add(rule);
            }
        }

        var paths = new List<EventPath>();
        int ReaderSlot(EventPath path)
        {
            if (path.Field != EventField.Attribute)
            {
                return -1;
            }

            var slot = paths.FindIndex(p => p.Text == path.Text);
            if (slot < 0 && paths.Count < AttributeReader.MaxPaths)
            {
                slot = paths.Count;
                paths.Add(path);
            }

            return slot;
        }

        foreach (var feed in feeds)
        {
            feed.Seal(ReaderSlot);
        }

        // One index per group-by signature: an event finds its key's row once for all the feeds that group that way.
        var indexes = new Dictionary<string, GroupIndex>(StringComparer.Ordinal);
        foreach (var feed in feeds)
        {
            if (!indexes.TryGetValue(feed.GroupBySignature, out var index))
            {
                indexes[feed.GroupBySignature] = index = new GroupIndex(feed.GroupBySignature);
            }

            index.Bind(feed);
        }

        _attributes = new AttributeReader(paths);
        AlertFeed[] sealedFeeds = [.. feeds];
        _feedIndex = new FeedIndex(sealedFeeds);
        return sealedFeeds;
    }

    /// <summary>
    /// The connection that says whether the robot behind <paramref name="group"/> is there: the group's own last
    /// one, or, once that closed, the newest its robot spoke on (for groups keyed by <c>robot_id</c>).
    /// </summary>
    private SourceConnection? Presence(ObservedGroup group)
    {
        if (group.LastConnection is { IsOpen: true } || group.RobotHash == 0 || _presence.Latest(group.RobotHash) is not { } latest)
        {
            return group.LastConnection;
        }

        group.LastConnection = latest;
        return latest;
    }

    private static bool IsOffline(SourceConnection? connection) =>
        connection is { IsOpen: false } && connection.Protocol is "tcp" or "websocket";

    private static DateTimeOffset At(long ticks) => new(ticks, TimeSpan.Zero);

    private static string Hex(ulong value) => value.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
}
