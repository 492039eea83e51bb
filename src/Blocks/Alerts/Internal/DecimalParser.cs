using System.Buffers.Text;

namespace Pipeline.Blocks.Alerts.Internal;

/// <summary>
/// Parses a number the way <see cref="Utf8Parser"/> does (the whole text, or false), with a fast path for the
/// decimals telemetry sends (<c>69</c>, <c>-3.5</c>, <c>9.413</c>): at most 15 significant digits and 22 after
/// the point make an integer mantissa below 2^53 and an exact power of ten, so one IEEE division gives the
/// correctly rounded value, the same double the general parser returns. Anything else (exponents, a sign of
/// <c>+</c>, more digits) goes to <see cref="Utf8Parser"/>.
/// </summary>
internal static class DecimalParser
{
    private const int MaxDigits = 15;

    private static readonly double[] PowersOfTen =
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];

    public static bool TryParse(ReadOnlySpan<byte> text, out double value)
    {
        if (TryParseShort(text, out value))
        {
            return true;
        }

        return Utf8Parser.TryParse(text, out value, out var consumed) && consumed == text.Length;
    }

    private static bool TryParseShort(ReadOnlySpan<byte> text, out double value)
    {
        value = 0;
        var i = 0;
        var negative = text.Length > 0 && text[0] == (byte)'-';
        if (negative)
        {
            i++;
        }

        long mantissa = 0;
        var digits = 0;
        var fraction = -1; // digits after the point; -1 before one
        for (; i < text.Length; i++)
        {
            var b = text[i];
            if (b is >= (byte)'0' and <= (byte)'9')
            {
                mantissa = (mantissa * 10) + (b - '0');
                if (mantissa != 0 && ++digits > MaxDigits)
                {
                    return false;
                }

                if (fraction >= 0)
                {
                    fraction++;
                }
            }
            else if (b == (byte)'.' && fraction < 0 && i > (negative ? 1 : 0))
            {
                fraction = 0;
            }
            else
            {
                return false;
            }
        }

        if (fraction == 0 || fraction >= PowersOfTen.Length || i == (negative ? 1 : 0))
        {
            return false; // "5." or "-", or too many decimals: the general parser decides
        }

        var result = fraction > 0 ? mantissa / PowersOfTen[fraction] : mantissa;
        value = negative ? -result : result;
        return true;
    }
}
