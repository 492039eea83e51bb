namespace Pipeline.Storage.ClickHouse.Internal;

/// <summary>Picks the layout by <c>SELECT version()</c>, creates what is missing, and checks the table.</summary>
internal static class SchemaSetup
{
    /// <summary>The layout INSERTs must use. Throws <see cref="ClickHouseSchemaException"/> when the table does not fit.</summary>
    public static async Task<(SchemaLayout Layout, string Version)> EnsureAsync(
        ClickHouseEndpoint endpoint, ClickHouseSinkOptions options, CancellationToken cancellationToken)
    {
        var version = await endpoint.VersionAsync(cancellationToken).ConfigureAwait(false);
        var layout = ClickHouseSchema.LayoutFor(version);
        if (options.CreateSchema)
        {
            await endpoint.ExecuteAsync(ClickHouseSchema.CreateDatabase(options.Database), cancellationToken).ConfigureAwait(false);
            var ddl = ClickHouseSchema.CreateTable(layout, options.Database, options.Table, options.TtlDays);
            await endpoint.ExecuteAsync(ddl, cancellationToken).ConfigureAwait(false);
        }

        var columns = await ColumnsAsync(endpoint, options.Database, options.Table, options, cancellationToken).ConfigureAwait(false);
        var (tableLayout, error) = ClickHouseSchema.Check(options.Database, options.Table, columns);
        if (error is not null)
        {
            throw new ClickHouseSchemaException(error);
        }

        return (tableLayout, version);
    }

    /// <summary>
    /// The same for the patterns table (<see cref="Patterns.ClickHousePatternsOptions.Table"/>): created
    /// with the layout of the server's version when missing, checked when it exists.
    /// </summary>
    public static async Task<(SchemaLayout Layout, string Version)> EnsurePatternsAsync(
        ClickHouseEndpoint endpoint, ClickHouseSinkOptions options, CancellationToken cancellationToken)
    {
        var table = options.Patterns.Table;
        var version = await endpoint.VersionAsync(cancellationToken).ConfigureAwait(false);
        if (options.CreateSchema)
        {
            await endpoint.ExecuteAsync(ClickHouseSchema.CreateDatabase(options.Database), cancellationToken).ConfigureAwait(false);
            var ddl = ClickHouseSchema.CreatePatternsTable(ClickHouseSchema.LayoutFor(version), options.Database, table);
            await endpoint.ExecuteAsync(ddl, cancellationToken).ConfigureAwait(false);
        }

        var columns = await ColumnsAsync(endpoint, options.Database, table, options, cancellationToken).ConfigureAwait(false);
        var engines = await endpoint.QueryAsync(
            $"SELECT engine FROM system.tables WHERE database = '{options.Database}' AND name = '{table}'", cancellationToken).ConfigureAwait(false);
        var engine = engines.Count > 0 && engines[0].Length > 0 ? engines[0][0] : "";
        var (layout, error) = ClickHouseSchema.CheckPatterns(options.Database, table, engine, columns);
        if (error is not null)
        {
            throw new ClickHouseSchemaException(error);
        }

        return (layout, version);
    }

    private static async Task<Dictionary<string, string>> ColumnsAsync(
        ClickHouseEndpoint endpoint, string database, string table, ClickHouseSinkOptions options, CancellationToken cancellationToken)
    {
        var rows = await endpoint.QueryAsync(
            $"SELECT name, type FROM system.columns WHERE database = '{database}' AND table = '{table}'",
            cancellationToken).ConfigureAwait(false);
        if (rows.Count == 0)
        {
            var key = table == options.Table ? "Pipeline:Sinks:ClickHouse:Table" : "Pipeline:Sinks:ClickHouse:Patterns:Table";
            throw new ClickHouseSchemaException(
                $"ClickHouse table {database}.{table} ({key}) does not exist and Pipeline:Sinks:ClickHouse:CreateSchema is false: create it (README, \"ClickHouse schema\") or set CreateSchema to true.");
        }

        var columns = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (row.Length >= 2)
            {
                columns[row[0]] = row[1];
            }
        }

        return columns;
    }
}
