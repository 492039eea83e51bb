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

    /// <summary>The connection no longer feeds the stream (a newer one took it over, or it must re-send): drop the line.</summary>
    NotOwner,
}
