using Pipeline.Storage.ClickHouse.Internal;

namespace Pipeline.ClickHouse.Tests.ClickHouse;

public sealed class ClickHouseSchemaTests
{
    [Theory]
    [InlineData("18.16.1", "Legacy")]
    [InlineData("19.17.4.11", "Legacy")]
    [InlineData("20.1.2.4", "Modern")]
    [InlineData("24.8.4.13", "Modern")]
    [InlineData("garbage", "Legacy")]
    public void LayoutIsChosenByServerVersion(string version, string expected)
    {
        Assert.Equal(expected, ClickHouseSchema.LayoutFor(version).ToString());
    }

    [Fact]
    public void ModernDdlUsesDateTime64LowCardinalityCodecsAndTtlFromConfig()
    {
        var ddl = ClickHouseSchema.CreateTable(SchemaLayout.Modern, "pipeline", "logs", ttlDays: 30);

        Assert.Contains("ts DateTime64(3, 'UTC') CODEC(DoubleDelta, ZSTD(1))", ddl, StringComparison.Ordinal);
        Assert.Contains("robot_id LowCardinality(String)", ddl, StringComparison.Ordinal);
        Assert.Contains("PARTITION BY toYYYYMMDD(ts)", ddl, StringComparison.Ordinal);
        Assert.Contains("ORDER BY (robot_id, ts)", ddl, StringComparison.Ordinal);
        Assert.Contains("TTL toDateTime(ts) + INTERVAL 30 DAY", ddl, StringComparison.Ordinal);
    }

    [Fact]
    public void ModernDdlHasNoTtlWhenTtlDaysIsZero()
    {
        Assert.DoesNotContain("TTL", ClickHouseSchema.CreateTable(SchemaLayout.Modern, "pipeline", "logs", ttlDays: 0), StringComparison.Ordinal);
    }

    [Fact]
    public void LegacyDdlUsesOnlyWhatClickHouse18Knows()
    {
        var ddl = ClickHouseSchema.CreateTable(SchemaLayout.Legacy, "pipeline", "logs", ttlDays: 30);

        Assert.DoesNotContain("DateTime64", ddl, StringComparison.Ordinal);
        Assert.DoesNotContain("LowCardinality", ddl, StringComparison.Ordinal);
        Assert.DoesNotContain("CODEC", ddl, StringComparison.Ordinal);
        Assert.DoesNotContain("TTL", ddl, StringComparison.Ordinal);
        Assert.Contains("ts DateTime DEFAULT toDateTime(intDiv(ts_ms, 1000))", ddl, StringComparison.Ordinal);
    }

    [Fact]
    public void InsertColumnsDifferOnlyInTheTimeColumns()
    {
        var legacy = ClickHouseSchema.InsertColumns(SchemaLayout.Legacy);
        var modern = ClickHouseSchema.InsertColumns(SchemaLayout.Modern);

        Assert.Equal(16, legacy.Count);
        Assert.Equal(["ts_ms", "received_at_ms"], legacy.Take(2));
        Assert.Equal(["ts", "received_at"], modern.Take(2));
        Assert.Equal(legacy.Skip(2), modern.Skip(2));
    }

    [Fact]
    public void CheckNamesAMissingColumn()
    {
        var columns = ModernColumns();
        columns.Remove("site");

        var (_, error) = ClickHouseSchema.Check("pipeline", "logs", columns);

        Assert.NotNull(error);
        Assert.Contains("column 'site' is missing", error, StringComparison.Ordinal);
        Assert.Contains("pipeline.logs", error, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckNamesAColumnOfTheWrongType()
    {
        var columns = ModernColumns();
        columns["conn_id"] = "String";

        var (_, error) = ClickHouseSchema.Check("pipeline", "logs", columns);

        Assert.NotNull(error);
        Assert.Contains("column 'conn_id' is String, but the pipeline writes UInt64", error, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckAcceptsTheModernTableAsTheServerDescribesIt()
    {
        var (layout, error) = ClickHouseSchema.Check("pipeline", "logs", ModernColumns());

        Assert.Null(error);
        Assert.Equal(SchemaLayout.Modern, layout);
    }

    [Fact]
    public void CheckRejectsADateTime64OfAnotherPrecision()
    {
        var columns = ModernColumns();
        columns["ts"] = "DateTime64(6, 'UTC')";

        var (_, error) = ClickHouseSchema.Check("pipeline", "logs", columns);

        Assert.Contains("column 'ts'", error, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> ModernColumns() => new(StringComparer.Ordinal)
    {
        ["ts"] = "DateTime64(3, 'UTC')",
        ["received_at"] = "DateTime64(3, 'UTC')",
        ["robot_id"] = "LowCardinality(String)",
        ["robot_name"] = "LowCardinality(String)",
        ["site"] = "LowCardinality(String)",
        ["level"] = "Enum8('DEBUG' = 0, 'INFO' = 1, 'WARNING' = 2, 'ERROR' = 3, 'CRITICAL' = 4)",
        ["type"] = "LowCardinality(String)",
        ["msg"] = "String",
        ["template_id"] = "UInt64",
        ["trace_id"] = "String",
        ["span_id"] = "String",
        ["hash"] = "String",
        ["protocol"] = "LowCardinality(String)",
        ["conn_id"] = "UInt64",
        ["ingest_node"] = "LowCardinality(String)",
        ["attrs"] = "String",
    };
}
