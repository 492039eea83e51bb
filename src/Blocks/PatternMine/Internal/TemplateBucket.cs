namespace Pipeline.Blocks.PatternMine.Internal;

/// <summary>
/// The templates of one (token count, first token) key. Readers take <see cref="Templates"/> without a
/// lock; writers (under the miner's lock) publish a new array, never change a published one.
/// </summary>
internal sealed class TemplateBucket
{
    private volatile PatternTemplate[] _templates = [];

    public PatternTemplate[] Templates => _templates;

    public void Add(PatternTemplate template)
    {
        var old = _templates;
        var next = new PatternTemplate[old.Length + 1];
        old.CopyTo(next, 0);
        next[^1] = template;
        _templates = next;
    }

    public void Remove(PatternTemplate template)
    {
        var old = _templates;
        var at = Array.IndexOf(old, template);
        if (at < 0)
        {
            return;
        }

        var next = new PatternTemplate[old.Length - 1];
        Array.Copy(old, 0, next, 0, at);
        Array.Copy(old, at + 1, next, at, old.Length - at - 1);
        _templates = next;
    }
}
