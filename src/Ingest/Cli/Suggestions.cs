namespace Pipeline.Ingest.Cli;

/// <summary>"Did you mean": the candidates closest to what was typed (edit distance with transpositions, or a prefix).</summary>
internal static class Suggestions
{
    /// <summary>
    /// The candidates at the smallest distance from <paramref name="typed"/>, if that is at most a third of its length
    /// (at least 1, at most 3), or those it is a prefix of (<c>rob</c> → <c>robots</c>); none when nothing is that close.
    /// </summary>
    public static List<string> Closest(string typed, IEnumerable<string> candidates)
    {
        var best = new List<string>();
        var bestDistance = Math.Clamp(typed.TrimStart('-').Length / 3, 1, 3);
        var prefixed = new List<string>();
        foreach (var candidate in candidates)
        {
            if (candidate.Length > typed.Length && typed.TrimStart('-').Length >= 2 &&
                candidate.StartsWith(typed, StringComparison.OrdinalIgnoreCase))
            {
                prefixed.Add(candidate);
            }

            var distance = Distance(typed, candidate);
            if (distance < bestDistance)
            {
                best.Clear();
                bestDistance = distance;
            }

            if (distance == bestDistance && !best.Contains(candidate))
            {
                best.Add(candidate);
            }
        }

        return best.Count > 0 ? best : prefixed;
    }

    /// <summary>" Did you mean 'stats'?" (or "'a' or 'b'"), or "" when nothing is close.</summary>
    public static string DidYouMean(string typed, IEnumerable<string> candidates)
    {
        var closest = Closest(typed, candidates);
        return closest.Count == 0 ? "" : $" Did you mean {Or(closest)}?";
    }

    /// <summary>'a', 'a' or 'b', 'a', 'b' or 'c'.</summary>
    public static string Or(IReadOnlyList<string> words)
    {
        var quoted = words.Select(w => $"'{w}'").ToList();
        return quoted.Count == 1 ? quoted[0] : string.Join(", ", quoted.Take(quoted.Count - 1)) + " or " + quoted[^1];
    }

    /// <summary>Optimal string alignment distance, case-insensitive: insertions, deletions, substitutions, adjacent swaps.</summary>
    internal static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 2]) &&
                    char.ToLowerInvariant(a[i - 2]) == char.ToLowerInvariant(b[j - 1]))
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
