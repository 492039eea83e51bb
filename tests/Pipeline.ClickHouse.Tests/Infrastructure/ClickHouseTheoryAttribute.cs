namespace Pipeline.ClickHouse.Tests.Infrastructure;

/// <summary>A theory that runs only when test.sh started a ClickHouse server (skipped, saying so, otherwise).</summary>
public sealed class ClickHouseTheoryAttribute : TheoryAttribute
{
    public ClickHouseTheoryAttribute()
    {
        if (string.IsNullOrEmpty(ClickHouseServer.UrlOrNull))
        {
            Skip = $"{ClickHouseServer.UrlVariable} is not set: run ./test.sh, which starts a ClickHouse server for the tests.";
        }
    }
}
