using System.Globalization;
using System.Text;
using Pipeline.Blocks.Parse;

namespace Pipeline.Blocks.Tests.Parse;

public sealed class Rfc3339Tests
{
    [Theory]
    [InlineData("1970-01-01T00:00:00Z", 0L)]
    [InlineData("2000-01-01T00:00:00Z", 946_684_800_000L)]
    [InlineData("2024-02-29T12:34:56.789Z", 1_709_210_096_789L)]
    [InlineData("1969-12-31T23:59:59.999Z", -1L)]
    [InlineData("0001-01-01T00:00:00Z", -62_135_596_800_000L)]
    [InlineData("9999-12-31T23:59:59.999Z", 253_402_300_799_999L)]
    public void ParsesKnownInstants(string text, long expected)
    {
        Assert.True(Rfc3339.TryParse(Encoding.ASCII.GetBytes(text), out var ms));
        Assert.Equal(expected, ms);
    }

    [Theory]
    [InlineData("2026-03-04T05:06:07Z")]
    [InlineData("2026-03-04T05:06:07.1Z")]
    [InlineData("2026-03-04T05:06:07.12Z")]
    [InlineData("2026-03-04T05:06:07.123Z")]
    [InlineData("2026-03-04T05:06:07.1234Z")]
    [InlineData("2026-03-04T05:06:07.12345Z")]
    [InlineData("2026-03-04T05:06:07.123456Z")]
    [InlineData("2026-03-04T05:06:07.1234567Z")]
    [InlineData("2026-03-04T05:06:07.999Z")]
    [InlineData("2026-03-04T05:06:07.000Z")]
    [InlineData("2026-03-04T05:06:07+05:30")]
    [InlineData("2026-03-04T05:06:07.250-08:00")]
    [InlineData("2026-03-04T05:06:07+00:00")]
    [InlineData("2026-03-04T05:06:07-00:00")]
    [InlineData("2026-03-04T01:00:00+14:00")]
    [InlineData("2026-03-04T23:00:00-12:00")]
    [InlineData("2026-01-01T00:30:00+01:00")]
    [InlineData("2025-12-31T23:30:00-01:00")]
    [InlineData("1969-07-20T20:17:40.5Z")]
    [InlineData("1900-02-28T23:59:59.999+02:00")]
    [InlineData("2024-02-29T00:00:00Z")]
    [InlineData("2000-02-29T00:00:00Z")]
    public void AgreesWithDateTimeOffsetParsing(string text)
    {
        var expected = DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.None).ToUnixTimeMilliseconds();

        Assert.True(Rfc3339.TryParse(Encoding.ASCII.GetBytes(text), out var ms));
        Assert.Equal(expected, ms);
    }

    [Theory]
    [InlineData("2026-03-04T05:06:07Z", 0)]
    [InlineData("2026-03-04T05:06:07.1Z", 100)]
    [InlineData("2026-03-04T05:06:07.12Z", 120)]
    [InlineData("2026-03-04T05:06:07.123Z", 123)]
    [InlineData("2026-03-04T05:06:07.1239Z", 123)]
    [InlineData("2026-03-04T05:06:07.12399Z", 123)]
    [InlineData("2026-03-04T05:06:07.123999Z", 123)]
    [InlineData("2026-03-04T05:06:07.1239999Z", 123)]
    [InlineData("2026-03-04T05:06:07.12399999Z", 123)]
    [InlineData("2026-03-04T05:06:07.123999999Z", 123)]
    [InlineData("2026-03-04T05:06:07.999999999Z", 999)]
    public void ReadsZeroToNineFractionDigitsTruncatedToMilliseconds(string text, int fractionMs)
    {
        var whole = new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero).ToUnixTimeMilliseconds();

        Assert.True(Rfc3339.TryParse(Encoding.ASCII.GetBytes(text), out var ms));
        Assert.Equal(whole + fractionMs, ms);
    }

    [Theory]
    [InlineData("2026-03-04 05:06:07.123Z")]
    [InlineData("2026-03-04t05:06:07.123Z")]
    [InlineData("2026-03-04T05:06:07.123z")]
    [InlineData("2026-03-04 05:06:07.123+00:00")]
    public void AcceptsSpaceAndLowerCaseSeparators(string text)
    {
        var expected = new DateTimeOffset(2026, 3, 4, 5, 6, 7, 123, TimeSpan.Zero).ToUnixTimeMilliseconds();

        Assert.True(Rfc3339.TryParse(Encoding.ASCII.GetBytes(text), out var ms));
        Assert.Equal(expected, ms);
    }

    [Theory]
    [InlineData("2026-03-04T05:06:07", 0)]
    [InlineData("2026-03-04T05:06:07.5", 500)]
    [InlineData("2026-03-04 05:06:07.123456", 123)]
    public void ReadsMissingOffsetAsUtc(string text, int fractionMs)
    {
        var expected = new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero).ToUnixTimeMilliseconds() + fractionMs;

        Assert.True(Rfc3339.TryParse(Encoding.ASCII.GetBytes(text), out var ms));
        Assert.Equal(expected, ms);
    }

    [Theory]
    [InlineData("2026-03-04T01:00:00+23:59", "2026-03-03T01:01:00Z")]
    [InlineData("2026-03-04T23:00:00-23:59", "2026-03-05T22:59:00Z")]
    public void AcceptsOffsetsBeyondWhatDateTimeOffsetAllows(string text, string utc)
    {
        // RFC 3339 allows any hh:mm offset; DateTimeOffset stops at ±14:00, so compare with the UTC instant.
        var expected = DateTimeOffset.Parse(utc, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();

        Assert.True(Rfc3339.TryParse(Encoding.ASCII.GetBytes(text), out var ms));
        Assert.Equal(expected, ms);
    }

    [Fact]
    public void FoldsLeapSecondOntoTheNextSecond()
    {
        var expected = new DateTimeOffset(2017, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

        Assert.True(Rfc3339.TryParse("2016-12-31T23:59:60Z"u8, out var ms));
        Assert.Equal(expected, ms);
    }

    [Theory]
    [InlineData("2026-02-29T00:00:00Z")] // not a leap year
    [InlineData("2100-02-29T00:00:00Z")] // century, not a leap year
    [InlineData("2026-02-30T00:00:00Z")]
    [InlineData("2026-04-31T00:00:00Z")]
    [InlineData("2026-13-01T00:00:00Z")]
    [InlineData("2026-00-10T00:00:00Z")]
    [InlineData("2026-01-00T00:00:00Z")]
    [InlineData("2026-01-32T00:00:00Z")]
    [InlineData("0000-01-01T00:00:00Z")]
    [InlineData("2026-01-01T24:00:00Z")]
    [InlineData("2026-01-01T00:60:00Z")]
    [InlineData("2026-01-01T00:00:61Z")]
    public void RejectsInvalidDates(string text)
    {
        Assert.False(Rfc3339.TryParse(Encoding.ASCII.GetBytes(text), out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("yesterday at noon, roughly")]
    [InlineData("2026-01-01")]
    [InlineData("2026-01-01T00:00")]
    [InlineData("2026/01/01T00:00:00Z")]
    [InlineData("2026-01-01X00:00:00Z")]
    [InlineData("2026-01-01T00-00-00Z")]
    [InlineData("2026-1-01T00:00:00Z")]
    [InlineData("20a6-01-01T00:00:00Z")]
    [InlineData("2026-01-01T0a:00:00Z")]
    [InlineData("2026-01-01T00:00:00.Z")]
    [InlineData("2026-01-01T00:00:00.")]
    [InlineData("2026-01-01T00:00:00.12a")]
    [InlineData("2026-01-01T00:00:00Zjunk")]
    [InlineData("2026-01-01T00:00:00Z ")]
    [InlineData("2026-01-01T00:00:00 Z")]
    [InlineData("2026-01-01T00:00:00+0530")]
    [InlineData("2026-01-01T00:00:00+05")]
    [InlineData("2026-01-01T00:00:00+05:3")]
    [InlineData("2026-01-01T00:00:00+05:30:00")]
    [InlineData("2026-01-01T00:00:00+24:00")]
    [InlineData("2026-01-01T00:00:00+05:60")]
    [InlineData("2026-01-01T00:00:00UTC")]
    [InlineData(" 2026-01-01T00:00:00Z")]
    [InlineData("-2026-01-01T00:00:00Z")]
    public void RejectsGarbage(string text)
    {
        Assert.False(Rfc3339.TryParse(Encoding.ASCII.GetBytes(text), out _));
    }

    [Fact]
    public void RejectsNonAsciiDigits()
    {
        // "２０２６" in full-width digits: char.IsDigit would say yes; RFC 3339 says no.
        Assert.False(Rfc3339.TryParse(Encoding.UTF8.GetBytes("２０２６-01-01T00:00:00Z"), out _));
    }
}
