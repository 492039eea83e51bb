using Pipeline.Blocks.Configuration;
using Pipeline.Storage.ClickHouse;
using Pipeline.Storage.ClickHouse.Patterns;
using Pipeline.Storage.Spool;

namespace Pipeline.ClickHouse.Tests.ClickHouse;

public sealed class ClickHouseSinkOptionsTests
{
    [Fact]
    public void TheDefaultsAreValid() => Assert.Empty(Errors(new ClickHouseSinkOptions()));

    [Fact]
    public void EveryBadKeyIsReportedAtOnceWithItsPathIncludingSpoolAndPatterns()
    {
        var options = new ClickHouseSinkOptions
        {
            Database = "1st",
            TtlDays = -1,
            BatchMaxRows = 0,
            BoundedCapacity = 0,
            RetryDelay = TimeSpan.FromSeconds(2),
            RetryMaxDelay = TimeSpan.FromSeconds(1),
            Spool = new DiskSpoolOptions { SegmentBytes = 1024 },
            Patterns = new ClickHousePatternsOptions { Table = "logs", Interval = TimeSpan.FromMilliseconds(10) },
        };

        Assert.Equal(
        [
            "Pipeline:Sinks:ClickHouse:Database: must be a plain identifier (letters, digits, _), got '1st'.",
            "Pipeline:Sinks:ClickHouse:TtlDays: must be 0 (keep) or more (got -1).",
            "Pipeline:Sinks:ClickHouse:BatchMaxRows: must be 1 to 10 000 000 (got 0).",
            "Pipeline:Sinks:ClickHouse:BoundedCapacity: must be at least 1 (got 0); the sink is never unbounded.",
            "Pipeline:Sinks:ClickHouse:RetryMaxDelay: must be at least RetryDelay (got 00:00:01).",
            "Pipeline:Sinks:ClickHouse:Spool:SegmentBytes: must be at least 64 KiB (got 1024).",
            "Pipeline:Sinks:ClickHouse:Patterns:Table: must be a plain identifier (letters, digits, _) other than Table, got 'logs'.",
            "Pipeline:Sinks:ClickHouse:Patterns:Interval: must be at least 00:00:00.100, e.g. 00:00:10 (got 00:00:00.0100000).",
        ], Errors(options));
    }

    [Fact]
    public void AConnectionStringThatIsNeitherAnUrlNorKeyValuePairsIsReportedWithItsPath()
    {
        var error = Assert.Single(Errors(new ClickHouseSinkOptions { ConnectionString = "ftp://nowhere" }));

        Assert.StartsWith("Pipeline:Sinks:ClickHouse:ConnectionString: not an http:// URL or a ClickHouse.Driver connection string", error);
    }

    private static List<string> Errors(ClickHouseSinkOptions options)
    {
        var errors = new List<string>();
        options.Validate(new OptionsErrors("Pipeline:Sinks:ClickHouse", errors));
        return errors;
    }
}
