namespace Pipeline.Blocks.PatternMine.Internal;

/// <summary>What a (masked) token is made of.</summary>
internal enum TokenShape : byte
{
    /// <summary>Only literal text, e.g. <c>block</c> or <c>(ftpd):</c>.</summary>
    Literal,

    /// <summary>Exactly one variable: <c>&lt;*&gt;</c>.</summary>
    Variable,

    /// <summary>Literal text around variables, e.g. <c>uid=&lt;*&gt;</c> or <c>node-&lt;*&gt;</c>.</summary>
    Mixed,
}
