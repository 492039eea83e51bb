using Pipeline.Blocks.PatternMine.Internal;

namespace Pipeline.Blocks.PatternMine;

/// <summary>Turning a word into a variable once it has taken many values.</summary>
public sealed partial class TemplateMiner
{
    /// <summary>
    /// Under the lock, before creating a template for <paramref name="m"/>: when enough templates of the
    /// bucket differ from the message only by the word at one position, that word is a variable. The
    /// oldest of them generalises there (keeping its id), the others merge into it, and the message joins it.
    /// </summary>
    private PatternTemplate? TryMergeWordVariants(TemplateBucket bucket, TokenizedMessage m)
    {
        var needed = _options.WordVariantsBeforeVariable;
        var templates = bucket.Templates;
        if (needed == 0 || templates.Length + 1 < needed)
        {
            return null;
        }

        Span<int> positions = templates.Length <= 256 ? stackalloc int[templates.Length] : new int[templates.Length];
        for (var t = 0; t < templates.Length; t++)
        {
            positions[t] = OnlyDifferingWord(templates[t], m);
        }

        for (var t = 0; t < templates.Length; t++)
        {
            var position = positions[t];
            if (position < 0)
            {
                continue;
            }

            var variants = 1;
            for (var u = t; u < templates.Length; u++)
            {
                if (positions[u] == position)
                {
                    variants++;
                }
            }

            if (variants < needed)
            {
                continue;
            }

            // templates[t] is the oldest variant: buckets keep creation order.
            var survivor = templates[t];
            var tokens = (TemplateToken[])survivor.Tokens.Clone();
            tokens[position] = TokenMatcher.Generalise(tokens[position].Text, m.TokenText(position));
            var before = survivor.Text;
            survivor.Replace(tokens);
            OnGeneralised(survivor, before);
            for (var u = t + 1; u < templates.Length; u++)
            {
                if (positions[u] == position)
                {
                    Retire(templates[u], survivor, bucket);
                }
            }

            return survivor;
        }

        return null;
    }

    /// <summary>The one position where the template has a different word than the message, or -1.</summary>
    private static int OnlyDifferingWord(PatternTemplate template, TokenizedMessage m)
    {
        var tokens = template.Tokens;
        if (tokens.Length != m.Count)
        {
            return -1;
        }

        var position = -1;
        for (var i = 0; i < tokens.Length; i++)
        {
            ref var slot = ref m.Tokens[i];
            var score = TokenMatcher.Score(tokens[i], m.TokenText(i), slot.Hash, slot.Wordy, out var covered);
            if (covered)
            {
                continue;
            }

            if (position >= 0 || score != TokenMatcher.Conflict || tokens[i].Shape != TokenShape.Literal || slot.Shape != TokenShape.Literal)
            {
                return -1;
            }

            position = i;
        }

        return position;
    }

    private void Retire(PatternTemplate template, PatternTemplate into, TemplateBucket bucket)
    {
        bucket.Remove(template);
        _byId.TryRemove(template.Id, out _);
        template.MergeInto(into);
        OnMerged(template, into);
        Volatile.Write(ref _count, _count - 1);
    }
}
