using Xunit.Abstractions;
using Xunit.Sdk;

namespace Pipeline.Dashboard.Tests.Infrastructure;

/// <summary>Makes a <see cref="SkippableTestCase"/> of each <see cref="SkippableFactAttribute"/> method.</summary>
public sealed class SkippableFactDiscoverer(IMessageSink diagnostics) : IXunitTestCaseDiscoverer
{
    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions options, ITestMethod method, IAttributeInfo attribute) =>
        [new SkippableTestCase(diagnostics, options.MethodDisplayOrDefault(), options.MethodDisplayOptionsOrDefault(), method)];
}
