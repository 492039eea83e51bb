using System.Globalization;
using System.Linq.Expressions;
using System.Reflection;
using BenchmarkDotNet.Attributes;

namespace Pipeline.Perf;

/// <summary>
/// <c>--allocations</c>: runs every benchmark body in this process and prints the bytes it allocates
/// per batch, with decimals. BenchmarkDotNet reports allocation per operation as a whole number, so
/// with <c>OperationsPerInvoke = 1000</c> anything under 1000 B per batch shows as "-"; this shows it.
/// Counts every thread (<see cref="GC.GetTotalAllocatedBytes"/>), so the framing's fan-out thread is in,
/// and separately the benchmark's own thread, where the framer, the blocks and the encoder run.
/// </summary>
internal static class AllocationProbe
{
    private const int Warmup = 500;
    private const int Measured = 500;

    public static void Run(TextWriter output, string? filter)
    {
        output.WriteLine("| Benchmark | Allocated per batch (B) | per event (B) | of which on the benchmark's thread, per batch (B) |");
        output.WriteLine("|---|---:|---:|---:|");
        foreach (var type in typeof(AllocationProbe).Assembly.GetTypes())
        {
            var benchmarks = Array.FindAll(type.GetMethods(), m => m.GetCustomAttribute<BenchmarkAttribute>() is not null);
            if (benchmarks.Length == 0 || (filter is not null && !type.Name.Contains(filter, StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            var parameter = Array.Find(type.GetProperties(), p => p.GetCustomAttribute<ParamsAttribute>() is not null);
            var values = parameter?.GetCustomAttribute<ParamsAttribute>()!.Values ?? [null];
            foreach (var value in values)
            {
                var instance = Activator.CreateInstance(type)!;
                parameter?.SetValue(instance, value);
                Invoke<GlobalSetupAttribute>(type, instance);
                foreach (var method in benchmarks)
                {
                    var (perBatch, onThread) = Measure(Bind(method, instance));
                    var events = method.GetCustomAttribute<BenchmarkAttribute>()!.OperationsPerInvoke;
                    var name = parameter is null ? $"{type.Name}.{method.Name}" : $"{type.Name}.{method.Name} ({parameter.Name}={value})";
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {perBatch:F1} | {perBatch / events:F3} | {onThread:F1} |"));
                }

                Invoke<GlobalCleanupAttribute>(type, instance);
            }
        }
    }

    /// <summary>
    /// Runs the body like BenchmarkDotNet does: this thread blocks until each invocation completes, so
    /// an invocation's continuation (which may run on a pipeline thread) never starts the next one there.
    /// </summary>
    private static (double Total, double OnThread) Measure(Func<ValueTask> body)
    {
        using var done = new ManualResetEventSlim();
        Action signal = done.Set;
        for (var i = 0; i < Warmup; i++)
        {
            Run(body, done, signal);
        }

        var before = GC.GetTotalAllocatedBytes(precise: true);
        var beforeOnThread = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Measured; i++)
        {
            Run(body, done, signal);
        }

        var onThread = GC.GetAllocatedBytesForCurrentThread() - beforeOnThread;
        return ((GC.GetTotalAllocatedBytes(precise: true) - before) / (double)Measured, onThread / (double)Measured);
    }

    private static void Run(Func<ValueTask> body, ManualResetEventSlim done, Action signal)
    {
        var invocation = body();
        var awaiter = invocation.GetAwaiter();
        if (!awaiter.IsCompleted)
        {
            done.Reset();
            awaiter.UnsafeOnCompleted(signal);
            done.Wait();
        }

        awaiter.GetResult();
    }

    /// <summary>
    /// The body as a <see cref="ValueTask"/>-returning call, whatever the benchmark returns (a value, an object,
    /// a task, nothing): a compiled expression, so the call allocates nothing that the body does not.
    /// </summary>
    private static Func<ValueTask> Bind(MethodInfo method, object instance)
    {
        if (method.ReturnType == typeof(ValueTask))
        {
            return method.CreateDelegate<Func<ValueTask>>(instance);
        }

        var call = Expression.Call(Expression.Constant(instance), method);
        if (typeof(Task).IsAssignableFrom(method.ReturnType))
        {
            var task = Expression.Lambda<Func<Task>>(Expression.Convert(call, typeof(Task))).Compile();
            return () => new ValueTask(task());
        }

        var action = Expression.Lambda<Action>(Expression.Block(typeof(void), call)).Compile();
        return () =>
        {
            action();
            return ValueTask.CompletedTask;
        };
    }

    private static void Invoke<TAttribute>(Type type, object instance)
        where TAttribute : Attribute
    {
        foreach (var method in type.GetMethods())
        {
            if (method.GetCustomAttribute<TAttribute>() is not null)
            {
                method.Invoke(instance, null);
            }
        }
    }
}
