namespace Pipeline.Storage.Spool.Internal;

/// <summary>A segment file as the spool knows it: its usable length and how many records/rows it holds from where reading starts.</summary>
internal sealed class SegmentInfo(long length)
{
    public long Length { get; set; } = length;

    public long Records { get; set; }

    public long Rows { get; set; }
}
