namespace Pipeline.Blocks.Redact;

/// <summary>
/// A part of a value to replace: a whole JSON value (quoted replacement), text inside a string
/// (bare replacement), or — for strings with escapes — the whole content with <see cref="Replacement"/>.
/// </summary>
internal readonly record struct RedactRange(int Start, int End, bool WholeValue, byte[]? Replacement = null);
