namespace Pipeline.Blocks.Acks;

/// <summary>What an <see cref="AckStream"/> says about one numbered line.</summary>
public enum AckVerdict
{
    /// <summary>The next number (or the first one): hand the line on.</summary>
    Take,

    /// <summary>Numbers were skipped before it: hand the line on, and report the gap.</summary>
    Gap,

    /// <summary>A number the stream already took (a re-send): drop the line.</summary>
    Duplicate,

    /// <summary>
    /// A number further ahead of the highest taken than <see cref="AckStream.MaxSeqJump"/>: a robot's bug, not a gap. Taken,
    /// it would make every later real number look like a re-send; so the line is refused and the stream stays where it is.
    /// </summary>
    OutOfRange,

    /// <summary>The connection no longer feeds the stream (a newer one took it over, or it must re-send): drop the line.</summary>
    NotOwner,
}
