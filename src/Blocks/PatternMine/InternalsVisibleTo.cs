using System.Runtime.CompilerServices;

// The pattern miner's own test project unit-tests its tokenizer and matcher (internal machinery).
[assembly: InternalsVisibleTo("Pipeline.PatternMine.Tests")]
