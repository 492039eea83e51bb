using Xunit.Abstractions;
using Xunit.Sdk;

namespace Pipeline.Dashboard.Tests.Infrastructure;

/// <summary>A test case whose failure by <see cref="SkipException"/> is reported as skipped.</summary>
public sealed class SkippableTestCase : XunitTestCase
{
    [Obsolete("For the serializer only.")]
    public SkippableTestCase()
    {
    }

    public SkippableTestCase(IMessageSink diagnostics, TestMethodDisplay display, TestMethodDisplayOptions options, ITestMethod method)
        : base(diagnostics, display, options, method)
    {
    }

    public override async Task<RunSummary> RunAsync(IMessageSink diagnostics, IMessageBus bus, object[] arguments, ExceptionAggregator aggregator,
        CancellationTokenSource cancellation)
    {
        var skipping = new SkippingMessageBus(bus);
        var summary = await base.RunAsync(diagnostics, skipping, arguments, aggregator, cancellation);
        summary.Failed -= skipping.Skipped;
        summary.Skipped += skipping.Skipped;
        return summary;
    }
}
