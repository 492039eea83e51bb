namespace Pipeline.Client.Internal;

/// <summary>Exponential backoff with jitter: attempt n waits a random time between the minimum and min(max, min·2ⁿ), so a fleet that lost its server does not come back in lockstep.</summary>
internal static class Backoff
{
    public static TimeSpan Delay(int attempt, TimeSpan min, TimeSpan max)
    {
        var cap = min.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30));
        cap = Math.Min(cap, max.TotalMilliseconds);
        var ms = min.TotalMilliseconds + (Random.Shared.NextDouble() * (cap - min.TotalMilliseconds));
        return TimeSpan.FromMilliseconds(ms);
    }
}
