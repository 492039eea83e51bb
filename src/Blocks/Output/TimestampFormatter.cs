namespace Pipeline.Blocks.Output;

/// <summary>
/// Formats Unix milliseconds as <c>yyyy-MM-ddTHH:mm:ss.fffZ</c> (24 bytes). Caches the date part,
/// since a batch's events almost always share a day. Not thread-safe: one per writer.
/// </summary>
public sealed class TimestampFormatter
{
    public const int Length = 24;
    private const long MsPerDay = 86_400_000;
    private readonly byte[] _date = new byte[11];
    private long _day = long.MinValue;

    public void Format(long unixMilliseconds, Span<byte> destination)
    {
        var day = Math.DivRem(unixMilliseconds, MsPerDay, out var msOfDay);
        if (msOfDay < 0)
        {
            day--;
            msOfDay += MsPerDay;
        }

        if (day != _day)
        {
            var date = DateTime.UnixEpoch.AddDays(Math.Clamp(day, -719_162, 2_932_896));
            date.TryFormat(_date, out _, "yyyy-MM-ddT", System.Globalization.CultureInfo.InvariantCulture);
            _day = day;
        }

        _date.CopyTo(destination);
        var seconds = (int)(msOfDay / 1000);
        var ms = (int)(msOfDay % 1000);
        Two(destination[11..], seconds / 3600);
        destination[13] = (byte)':';
        Two(destination[14..], seconds / 60 % 60);
        destination[16] = (byte)':';
        Two(destination[17..], seconds % 60);
        destination[19] = (byte)'.';
        destination[20] = (byte)('0' + ms / 100);
        destination[21] = (byte)('0' + ms / 10 % 10);
        destination[22] = (byte)('0' + ms % 10);
        destination[23] = (byte)'Z';
    }

    private static void Two(Span<byte> destination, int value)
    {
        destination[0] = (byte)('0' + value / 10);
        destination[1] = (byte)('0' + value % 10);
    }
}
