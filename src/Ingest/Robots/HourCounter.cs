namespace Pipeline.Ingest.Robots;

/// <summary>
/// A count over the last hour in one-minute buckets: one writer (the robots sink), any number of readers
/// (the API), who may read a bucket mid-update and be one batch off.
/// </summary>
internal sealed class HourCounter
{
    private const int Minutes = 60;
    private readonly long[] _minute = new long[Minutes];
    private readonly long[] _count = new long[Minutes];

    /// <summary>Adds <paramref name="count"/> at <paramref name="unixMinute"/> (minutes since the epoch).</summary>
    public void Add(long unixMinute, long count)
    {
        var slot = (int)(unixMinute % Minutes);
        if (Volatile.Read(ref _minute[slot]) != unixMinute)
        {
            Volatile.Write(ref _count[slot], 0);
            Volatile.Write(ref _minute[slot], unixMinute);
        }

        Volatile.Write(ref _count[slot], _count[slot] + count);
    }

    /// <summary>The count of the 60 minutes up to and including <paramref name="unixMinute"/>.</summary>
    public long LastHour(long unixMinute)
    {
        long total = 0;
        for (var slot = 0; slot < Minutes; slot++)
        {
            var minute = Volatile.Read(ref _minute[slot]);
            if (minute > unixMinute - Minutes && minute <= unixMinute)
            {
                total += Volatile.Read(ref _count[slot]);
            }
        }

        return total;
    }
}
