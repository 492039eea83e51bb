namespace Pipeline.Blocks.Events;

/// <summary>One framed input line inside a batch's buffer, without its line terminator.</summary>
public readonly record struct LineRef(int Offset, int Length);
