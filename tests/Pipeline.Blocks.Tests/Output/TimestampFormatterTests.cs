using System.Globalization;
using System.Text;
using Pipeline.Blocks.Output;

namespace Pipeline.Blocks.Tests.Output;

public sealed class TimestampFormatterTests
{
    private static string Expected(long ms) =>
        DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static string Format(TimestampFormatter formatter, long ms)
    {
        var buffer = new byte[TimestampFormatter.Length + 4];
        buffer.AsSpan().Fill((byte)'#');
        formatter.Format(ms, buffer);
        Assert.Equal("####", Encoding.ASCII.GetString(buffer, TimestampFormatter.Length, 4)); // wrote exactly Length bytes
        return Encoding.ASCII.GetString(buffer, 0, TimestampFormatter.Length);
    }

    [Theory]
    [InlineData(0L, "1970-01-01T00:00:00.000Z")]
    [InlineData(1L, "1970-01-01T00:00:00.001Z")]
    [InlineData(-1L, "1969-12-31T23:59:59.999Z")]
    [InlineData(86_399_999L, "1970-01-01T23:59:59.999Z")]
    [InlineData(86_400_000L, "1970-01-02T00:00:00.000Z")]
    [InlineData(-86_400_000L, "1969-12-31T00:00:00.000Z")]
    [InlineData(-86_400_001L, "1969-12-30T23:59:59.999Z")]
    [InlineData(951_782_400_000L, "2000-02-29T00:00:00.000Z")]
    [InlineData(1_772_600_767_123L, "2026-03-04T05:06:07.123Z")]
    [InlineData(-14_182_940_000L, "1969-07-20T20:17:40.000Z")]
    [InlineData(-62_135_596_800_000L, "0001-01-01T00:00:00.000Z")]
    [InlineData(253_402_300_799_999L, "9999-12-31T23:59:59.999Z")]
    public void FormatsKnownInstants(long ms, string expected)
    {
        Assert.Equal(expected, Format(new TimestampFormatter(), ms));
        Assert.Equal(Expected(ms), expected);
    }

    [Fact]
    public void FormatsCorrectlyWhenReusedAcrossDayBoundaries()
    {
        // One formatter caches the date: walk forwards and backwards over midnights, before and after 1970.
        var formatter = new TimestampFormatter();
        long[] instants =
        [
            1_772_582_399_999, 1_772_582_400_000, 1_772_582_399_999, 1_772_668_800_001,
            -1, 0, -1, -86_400_001, -86_400_000, 86_399_999, 86_400_000,
            951_868_799_999, 951_782_400_000, 951_868_800_000, // 2000-02-29 and its neighbours
            -2_208_988_800_000, -2_208_988_800_001, // 1900-01-01 midnight
        ];

        foreach (var ms in instants)
        {
            Assert.Equal(Expected(ms), Format(formatter, ms));
        }
    }

    [Fact]
    public void FormatsEveryHourOfAYearLikeDateTime()
    {
        var formatter = new TimestampFormatter();
        var start = new DateTimeOffset(1968, 12, 30, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        for (var ms = start; ms < start + 3L * 366 * 86_400_000; ms += 3_600_000 + 61_001)
        {
            Assert.Equal(Expected(ms), Format(formatter, ms));
        }
    }
}
