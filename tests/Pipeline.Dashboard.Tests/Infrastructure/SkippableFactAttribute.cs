using Xunit.Sdk;

namespace Pipeline.Dashboard.Tests.Infrastructure;

/// <summary>
/// A fact that may find out while it runs that it cannot (a <see cref="SkipException"/>): xunit 2 only
/// skips statically. Used for the one test that needs an API which may not exist yet.
/// </summary>
[XunitTestCaseDiscoverer("Pipeline.Dashboard.Tests.Infrastructure.SkippableFactDiscoverer", "Pipeline.Dashboard.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class SkippableFactAttribute : FactAttribute;
