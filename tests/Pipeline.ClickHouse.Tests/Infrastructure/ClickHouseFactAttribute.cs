namespace Pipeline.ClickHouse.Tests.Infrastructure;

/// <summary>A test against the real ClickHouse server that test.sh starts; skipped, saying why, only when its URL is not set.</summary>
public sealed class ClickHouseFactAttribute : FactAttribute
{
    public ClickHouseFactAttribute()
    {
        if (string.IsNullOrEmpty(ClickHouseServer.UrlOrNull))
        {
            Skip = $"{ClickHouseServer.UrlVariable} is not set: run ./test.sh, which starts a ClickHouse server for the tests.";
        }
    }
}
