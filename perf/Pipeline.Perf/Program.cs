using BenchmarkDotNet.Running;

namespace Pipeline.Perf;

public static class BenchmarkProgram
{
    /// <summary>
    /// BenchmarkDotNet's switcher (<c>--filter '*ParseBenchmarks*' --job short</c>), or
    /// <c>--allocations [ClassName]</c> for exact bytes allocated per batch.
    /// </summary>
    public static void Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "--allocations")
        {
            AllocationProbe.Run(Console.Out, args.Length > 1 ? args[1] : null);
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly).Run(args);
    }
}
