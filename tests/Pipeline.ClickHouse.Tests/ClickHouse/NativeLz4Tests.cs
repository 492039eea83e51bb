using Pipeline.ClickHouse.Tests.Infrastructure;
using Pipeline.Storage.ClickHouse.Internal;

namespace Pipeline.ClickHouse.Tests.ClickHouse;

public sealed class NativeLz4Tests : IAsyncLifetime
{
    private readonly string _database = ClickHouseServer.NewDatabase();

    public async Task InitializeAsync()
    {
        if (ClickHouseServer.UrlOrNull is not null)
        {
            await ClickHouseServer.Shared.RunAsync($"CREATE DATABASE `{_database}`");
            await ClickHouseServer.Shared.RunAsync($"CREATE TABLE `{_database}`.blobs (n UInt32, s String) ENGINE = MergeTree() ORDER BY n");
        }
    }

    public async Task DisposeAsync()
    {
        if (ClickHouseServer.UrlOrNull is not null)
        {
            await ClickHouseServer.Shared.DropDatabaseAsync(_database);
        }
    }

    [ClickHouseFact]
    public async Task ServerAcceptsBlocksOfEveryChecksumPathLength()
    {
        // Random bytes do not compress, so the hashed length follows the payload and every branch
        // of CityHash128 (under 16, under 128, the 128-byte loop with each tail) gets a turn.
        using var endpoint = new ClickHouseEndpoint(ClickHouseServer.Shared.Url, TimeSpan.FromSeconds(30));
        var random = new Random(42);
        var sizes = Enumerable.Range(0, 300).Concat([511, 512, 1000, 4096, 65_537, 1_000_000]).ToList();
        var expected = new List<string>();
        foreach (var size in sizes)
        {
            var value = new byte[size];
            random.NextBytes(value);
            var row = RowBinary((uint)size, value);
            var block = new byte[NativeLz4.MaxBlockLength(row.Length)];
            var length = NativeLz4.WriteBlock(row, block);

            await endpoint.InsertAsync($"`{_database}`.blobs", ["n", "s"], block.AsMemory(0, length), PayloadFormat.RowBinaryLz4, CancellationToken.None);
            expected.Add($"{size}\t{Convert.ToHexString(value).ToLowerInvariant()}");
        }

        var rows = await ClickHouseServer.Shared.RowsAsync($"SELECT n, lower(hex(s)) FROM `{_database}`.blobs ORDER BY n");
        Assert.Equal(expected, rows.Select(r => string.Join('\t', r)));
    }

    [ClickHouseFact]
    public async Task ServerRejectsABlockWithAWrongChecksum()
    {
        using var endpoint = new ClickHouseEndpoint(ClickHouseServer.Shared.Url, TimeSpan.FromSeconds(30));
        var row = RowBinary(1, "hello"u8.ToArray());
        var block = new byte[NativeLz4.MaxBlockLength(row.Length)];
        var length = NativeLz4.WriteBlock(row, block);
        block[3] ^= 0xFF;

        var error = await Assert.ThrowsAnyAsync<Exception>(() =>
            endpoint.InsertAsync($"`{_database}`.blobs", ["n", "s"], block.AsMemory(0, length), PayloadFormat.RowBinaryLz4, CancellationToken.None));

        Assert.Contains("Checksum doesn't match", error.Message, StringComparison.Ordinal);
    }

    private static byte[] RowBinary(uint n, byte[] value)
    {
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream);
        writer.Write(n);
        writer.Write7BitEncodedInt(value.Length);
        writer.Write(value);
        writer.Flush();
        return stream.ToArray();
    }
}
