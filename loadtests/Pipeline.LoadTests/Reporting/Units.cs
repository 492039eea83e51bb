using System.Globalization;

namespace Pipeline.LoadTests.Reporting;

/// <summary>Human-readable numbers for the report. Decimal units: 1 MB = 1,000,000 bytes.</summary>
internal static class Units
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Count(double value) => value.ToString("N0", Invariant);

    public static string Rate(double perSecond) => perSecond.ToString(perSecond < 100 ? "N1" : "N0", Invariant);

    public static string Bytes(double bytes) => bytes switch
    {
        < 1e3 => bytes.ToString("F0", Invariant) + " B",
        < 1e6 => (bytes / 1e3).ToString("F1", Invariant) + " KB",
        < 1e9 => (bytes / 1e6).ToString("F2", Invariant) + " MB",
        _ => (bytes / 1e9).ToString("F2", Invariant) + " GB",
    };

    public static string Nanoseconds(long ns) => ns switch
    {
        < 1_000 => ns.ToString(Invariant) + " ns",
        < 1_000_000 => (ns / 1e3).ToString(ns < 100_000 ? "F1" : "F0", Invariant) + " µs",
        < 1_000_000_000 => (ns / 1e6).ToString(ns < 100_000_000 ? "F2" : "F0", Invariant) + " ms",
        _ => (ns / 1e9).ToString("F2", Invariant) + " s",
    };

    public static string Seconds(TimeSpan elapsed) => elapsed.TotalSeconds.ToString("F2", Invariant) + " s";
}
