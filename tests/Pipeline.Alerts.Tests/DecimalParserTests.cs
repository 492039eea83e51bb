using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Pipeline.Blocks.Alerts.Internal;

namespace Pipeline.Alerts.Tests;

/// <summary>The decimal fast path answers exactly what <see cref="Utf8Parser"/> answers: the same yes or no, the same double to the bit.</summary>
public sealed class DecimalParserTests
{
    [Theory]
    [InlineData("0")]
    [InlineData("-0")]
    [InlineData("69")]
    [InlineData("9.413")]
    [InlineData("-3.5")]
    [InlineData("0.1")]
    [InlineData("0.30000000000000004")] // 17 significant digits: the general parser
    [InlineData("999999999999999")] // 15 digits: the fast path's largest
    [InlineData("9999999999999999")]
    [InlineData("123456789012345678901234567890")]
    [InlineData("0.0000000000000000000001")] // 22 decimals
    [InlineData("0.00000000000000000000001")] // 23
    [InlineData("00012.50")]
    [InlineData("1e3")]
    [InlineData("-2.5E-3")]
    [InlineData("+5")]
    [InlineData("5.")]
    [InlineData(".5")]
    [InlineData("-.5")]
    [InlineData("-")]
    [InlineData("")]
    [InlineData("1.2.3")]
    [InlineData("12a")]
    [InlineData(" 5")]
    [InlineData("5 ")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("1,5")]
    [InlineData("٣")] // a digit, but not an ASCII one
    public void ParsesLikeTheGeneralParser(string text) => AssertSame(text);

    [Fact]
    public void RandomDecimalsOfEveryShapeParseToTheSameDouble()
    {
        var random = new Random(20261204);
        for (var i = 0; i < 100_000; i++)
        {
            var digits = random.Next(1, 19);
            var builder = new StringBuilder();
            if (random.Next(4) == 0)
            {
                builder.Append('-');
            }

            for (var d = 0; d < digits; d++)
            {
                builder.Append((char)('0' + random.Next(10)));
            }

            if (random.Next(3) > 0)
            {
                builder.Insert(random.Next(builder[0] == '-' ? 2 : 1, builder.Length + 1), '.');
            }

            AssertSame(builder.ToString());
        }
    }

    [Fact]
    public void TelemetryValuesRoundTrip()
    {
        var random = new Random(7);
        for (var i = 0; i < 10_000; i++)
        {
            var value = Math.Round(random.NextDouble() * 100, random.Next(0, 6));
            AssertSame(value.ToString(CultureInfo.InvariantCulture));
        }
    }

    private static void AssertSame(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var expectedOk = Utf8Parser.TryParse(bytes, out double expected, out var consumed) && consumed == bytes.Length;
        var ok = DecimalParser.TryParse(bytes, out var value);
        Assert.True(expectedOk == ok, $"'{text}': Utf8Parser {expectedOk}, DecimalParser {ok}");
        if (ok)
        {
            Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(value), $"'{text}': {expected:R} against {value:R}");
        }
    }
}
