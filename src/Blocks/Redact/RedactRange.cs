namespace Pipeline.Blocks.Redact;

/// <summary>A part of a value to replace: a whole JSON value (quoted replacement) or text inside a string.</summary>
internal readonly record struct RedactRange(int Start, int End, bool WholeValue);
