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

        var rows = await endpoint.QueryAsync(
            $"SELECT name, type FROM system.columns WHERE database = '{options.Database}' AND table = '{options.Table}'",
            cancellationToken).ConfigureAwait(false);
        if (rows.Count == 0)
        {
            throw new ClickHouseSchemaException(
                $"ClickHouse table {options.Database}.{options.Table} does not exist and Pipeline:Sinks:ClickHouse:CreateSchema is false: create it (README, \"ClickHouse schema\") or set CreateSchema to true.");
        }

        var columns = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (row.Length >= 2)
            {
                columns[row[0]] = row[1];
            }
        }

        var (tableLayout, error) = ClickHouseSchema.Check(options.Database, options.Table, columns);
        if (error is not null)
        {
            throw new ClickHouseSchemaException(error);
        }

        return (tableLayout, version);
    }
}
