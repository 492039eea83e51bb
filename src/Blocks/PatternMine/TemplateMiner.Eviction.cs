namespace Pipeline.Blocks.PatternMine;

/// <summary>Keeping the number of templates bounded.</summary>
public sealed partial class TemplateMiner
{
    /// <summary>
    /// Under the lock, when the bound is passed: drops the least recently seen tenth, so that a flood of
    /// unique messages costs one sort per many insertions instead of a scan per insertion.
    /// </summary>
    private void EvictLocked()
    {
        var max = _options.MaxTemplates;
        var keep = Math.Max(1, max - Math.Max(1, max / 10));
        var all = _byId.Values.ToArray();
        Array.Sort(all, static (a, b) =>
        {
            var bySeen = a.LastSeen.CompareTo(b.LastSeen);
            return bySeen != 0 ? bySeen : a.FirstSeen.CompareTo(b.FirstSeen);
        });

        var drop = all.Length - keep;
        for (var i = 0; i < drop; i++)
        {
            var template = all[i];
            if (_buckets.TryGetValue(template.BucketKey, out var bucket))
            {
                bucket.Remove(template);
                if (bucket.Templates.Length == 0)
                {
                    _buckets.TryRemove(template.BucketKey, out _);
                }
            }

            _byId.TryRemove(template.Id, out _);
            template.MarkEvicted();
            OnEvicted(template);
        }

        Volatile.Write(ref _count, _count - drop);
        Interlocked.Add(ref _evicted, drop);
    }
}
