namespace Pipeline.Blocks.Redact;

/// <summary>What <see cref="AttributeScanner"/> reports. Positions are offsets into the scanned JSON.</summary>
internal interface IAttributeVisitor
{
    /// <summary>A key (raw, possibly escaped). Return true to get its value as one <see cref="WholeValue"/>.</summary>
    bool Key(ReadOnlySpan<byte> name);

    /// <summary>The value of a key for which <see cref="Key"/> returned true: <c>[start, end)</c>.</summary>
    void WholeValue(int start, int end);

    /// <summary>A string value's content (raw, possibly escaped), starting at <paramref name="offset"/>.</summary>
    void StringValue(ReadOnlySpan<byte> content, int offset);
}
