using Pipeline.Storage.ClickHouse.Internal;

namespace Pipeline.ClickHouse.Tests.Patterns;

/// <summary>The patterns DDL and check without a server (the test server is 18.16: this covers the 20.1+ layout).</summary>
public sealed class PatternsSchemaTests
{
    [Fact]
    public void ModernDdlUsesDateTime64AndReplacingMergeTreeByVersionOrderedById()
    {
        var ddl = ClickHouseSchema.CreatePatternsTable(SchemaLayout.Modern, "pipeline", "patterns");

        Assert.Contains("CREATE TABLE IF NOT EXISTS `pipeline`.`patterns`", ddl, StringComparison.Ordinal);
        Assert.Contains("first_seen DateTime64(3, 'UTC')", ddl, StringComparison.Ordinal);
        Assert.Contains("ENGINE = ReplacingMergeTree(version)\nORDER BY id", ddl.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.DoesNotContain("_ms", ddl, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckAcceptsTheModernTableAsTheServerDescribesIt()
    {
        var (layout, error) = ClickHouseSchema.CheckPatterns("pipeline", "patterns", "ReplacingMergeTree", Modern());

        Assert.Null(error);
        Assert.Equal(SchemaLayout.Modern, layout);
        Assert.Equal(["id", "template", "first_seen", "last_seen", "count", "version"], ClickHouseSchema.PatternInsertColumns(layout));
    }

    [Fact]
    public void CheckAcceptsAReplicatedReplacingTable()
    {
        Assert.Null(ClickHouseSchema.CheckPatterns("pipeline", "patterns", "ReplicatedReplacingMergeTree", Modern()).Error);
    }

    [Fact]
    public void CheckNamesATimeColumnOfTheWrongPrecision()
    {
        var columns = Modern();
        columns["last_seen"] = "DateTime";

        var (_, error) = ClickHouseSchema.CheckPatterns("pipeline", "patterns", "ReplacingMergeTree", columns);

        Assert.Equal(
            "ClickHouse table pipeline.patterns does not match what the pipeline writes: column 'last_seen' is DateTime, but the pipeline writes DateTime64(3). " +
            "Migrate or drop the table, or point Pipeline:Sinks:ClickHouse:Patterns:Table at a new one (it is created when missing).",
            error);
    }

    private static Dictionary<string, string> Modern() => new(StringComparer.Ordinal)
    {
        ["id"] = "UInt64",
        ["template"] = "String",
        ["first_seen"] = "DateTime64(3, 'UTC')",
        ["last_seen"] = "DateTime64(3, 'UTC')",
        ["count"] = "UInt64",
        ["version"] = "UInt64",
    };
}
