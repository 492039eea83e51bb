using System.Text;
using Pipeline.Blocks.PatternMine;

namespace Pipeline.PatternMine.Tests.Infrastructure;

/// <summary>Helpers to feed text messages to a miner.</summary>
internal static class Messages
{
    public static TemplateMatch Add(this TemplateMiner miner, string message) => miner.Add(Encoding.UTF8.GetBytes(message));

    /// <summary>
    /// A word of letters only (no digits, so it is never masked) that differs for every <paramref name="i"/>.
    /// Messages meant to stay distinct templates differ in two such words: one differing word alone
    /// becomes a variable after <see cref="PatternMineOptions.WordVariantsBeforeVariable"/> variants.
    /// </summary>
    public static string Word(int i)
    {
        var sb = new StringBuilder("w");
        do
        {
            sb.Append((char)('a' + (i % 26)));
            i /= 26;
        }
        while (i > 0);

        return sb.ToString();
    }
}
