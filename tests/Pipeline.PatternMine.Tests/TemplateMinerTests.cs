using System.Text;
using Pipeline.Blocks.PatternMine;
using Pipeline.PatternMine.Tests.Infrastructure;

namespace Pipeline.PatternMine.Tests;

public sealed class TemplateMinerTests
{
    [Fact]
    public void MessagesThatDifferOnlyInValuesShareATemplate()
    {
        var miner = new TemplateMiner();

        var first = miner.Add("Received block blk_3587508140051953248 of size 67108864 from /10.251.42.84");
        var second = miner.Add("Received block blk_-695229586848765 of size 512 from /10.250.19.102");

        Assert.Equal(MatchKind.Created, first.Kind);
        Assert.Equal(MatchKind.Matched, second.Kind);
        Assert.Same(first.Template, second.Template);
        Assert.Equal("Received block <*> of size <*> from <*>", second.Template.Text);
        Assert.Equal(2, second.Template.Count);
        Assert.Equal(1, miner.TemplateCount);
    }

    [Fact]
    public void MessagesThatDifferInAWordAreDifferentTemplates()
    {
        var miner = new TemplateMiner();

        var started = miner.Add("[instance: b9000564-fe1a-409b-b8cc-1e88b294cd1d] VM Started (Lifecycle Event)");
        var stopped = miner.Add("[instance: faf974ea-cba5-4e1b-93f4-3a3bc606006f] VM Stopped (Lifecycle Event)");

        Assert.NotEqual(started.TemplateId, stopped.TemplateId);
        Assert.Equal("[instance: <*>] VM Started (Lifecycle Event)", started.Template.Text);
        Assert.Equal("[instance: <*>] VM Stopped (Lifecycle Event)", stopped.Template.Text);
    }

    [Fact]
    public void AMaskedNumberDoesNotStandForAWord()
    {
        var miner = new TemplateMiner();

        var numbers = miner.Add("Fan speeds ( 3552 3534 3375 4245 3515 3479 )");
        var stars = miner.Add("Fan speeds ( 3552 3534 3375 **** 3515 3479 )");

        Assert.NotEqual(numbers.TemplateId, stars.TemplateId);
        Assert.Equal("Fan speeds ( <*> <*> <*> **** <*> <*> )", stars.Template.Text);
    }

    [Fact]
    public void DifferentValuesOfAKeyGeneraliseTheTemplate()
    {
        var miner = new TemplateMiner();

        var root = miner.Add("authentication failure; tty=NODEVssh rhost=10.0.0.1 user=root");
        var guest = miner.Add("authentication failure; tty=NODEVssh rhost=10.0.0.2 user=guest");

        Assert.Equal(MatchKind.Generalised, guest.Kind);
        Assert.Same(root.Template, guest.Template);
        Assert.Equal("authentication failure; tty=NODEVssh rhost=<*> user=<*>", guest.Template.Text);
    }

    [Fact]
    public void TemplateIdStaysWhenTheTemplateGeneralises()
    {
        var miner = new TemplateMiner();
        var created = miner.Add("session opened for user=alice by (uid=0)");
        var idBefore = created.TemplateId;
        var textBefore = created.Template.Text;

        var generalised = miner.Add("session opened for user=bob by (uid=0)");

        Assert.Equal(MatchKind.Generalised, generalised.Kind);
        Assert.Equal(idBefore, generalised.TemplateId);
        Assert.Equal(idBefore, created.Template.Id);
        Assert.NotEqual(textBefore, created.Template.Text);
        Assert.Equal("session opened for user=<*> by (uid=<*>)", created.Template.Text);
        Assert.Equal(1, created.Template.Generalisations);
        Assert.True(miner.TryGetTemplate(idBefore, out var byId));
        Assert.Same(created.Template, byId);
    }

    [Fact]
    public void ManyWordsAtOnePositionBecomeAVariableAndTheirTemplatesMerge()
    {
        var miner = new TemplateMiner(new PatternMineOptions { WordVariantsBeforeVariable = 4 });

        var alice = miner.Add("robot alice connected to dock 7");
        var bob = miner.Add("robot bob connected to dock 8");
        var carol = miner.Add("robot carol connected to dock 9");
        Assert.Equal(3, miner.TemplateCount);

        var dave = miner.Add("robot dave connected to dock 1");
        var erin = miner.Add("robot erin connected to dock 2");

        Assert.Equal(1, miner.TemplateCount);
        Assert.Equal(MatchKind.Generalised, dave.Kind);
        Assert.Equal(MatchKind.Matched, erin.Kind);
        Assert.Equal(alice.TemplateId, dave.TemplateId);
        Assert.Equal("robot <*> connected to dock <*>", alice.Template.Text);
        Assert.Same(alice.Template, bob.Template.MergedInto);
        Assert.Same(alice.Template, carol.Template.Current);
        Assert.Equal(5, alice.Template.Count);
        Assert.False(miner.TryGetTemplate(bob.TemplateId, out _));
    }

    [Fact]
    public void AFewWordsAtOnePositionStayDifferentTemplates()
    {
        var miner = new TemplateMiner();

        foreach (var state in new[] { "Started", "Stopped", "Paused", "Resumed" })
        {
            miner.Add($"[instance: b9000564-fe1a-409b-b8cc-1e88b294cd1d] VM {state} (Lifecycle Event)");
        }

        Assert.Equal(4, miner.TemplateCount);
    }

    [Fact]
    public void TemplateIdIsTheSameInEveryMinerForTheSameFirstMessage()
    {
        var one = new TemplateMiner().Add("Deleting block blk_1781953582842324563 file /mnt/data/blk_1781953582842324563");
        var other = new TemplateMiner();
        other.Add("something else entirely");
        var two = other.Add("Deleting block blk_42 file /tmp/blk_42");

        Assert.Equal(one.TemplateId, two.TemplateId);
        Assert.NotEqual(0UL, one.TemplateId);
    }

    [Fact]
    public void JsonEscapedMessagesGetTheTemplatesOfTheirText()
    {
        var miner = new TemplateMiner();

        var escaped = miner.AddJsonEscaped("user \\\"caf\\u00e9\\\" logged in\\tfrom 10.0.0.1"u8);
        var plain = miner.Add("user \"café\" logged in from 10.0.0.2");

        Assert.Same(escaped.Template, plain.Template);
        Assert.Equal("user \"café\" logged in from <*>", plain.Template.Text);
    }

    [Fact]
    public void ConcurrentAddsNeverCreateTwinTemplates()
    {
        var miner = new TemplateMiner();
        var patterns = new[]
        {
            "Received block blk_{0} of size {1} from /10.0.{2}.1",
            "PacketResponder {2} for block blk_{0} terminating",
            "session opened for user=u{1} by (uid={2})",
            "Took {1}.5 seconds to build instance {0}",
            "connection from 10.{2}.0.1 () at Fri Jun 17 07:07:{3:00} 2005",
            "connection from 10.{2}.0.1 (host{1}.example.com) at Fri Jun 17 07:07:{3:00} 2005",
        };
        const int Messages = 20_000;

        var results = new TemplateMatch[Messages];
        Parallel.For(0, Messages, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var text = string.Format(System.Globalization.CultureInfo.InvariantCulture, patterns[i % patterns.Length], i * 7919L, i % 97, i % 13, i % 60);
            results[i] = miner.Add(Encoding.UTF8.GetBytes(text));
        });

        var templates = miner.GetTemplates();
        Assert.Equal(5, templates.Length);
        Assert.Equal(templates.Length, templates.Select(t => t.Text).Distinct().Count());
        Assert.Equal(Messages, templates.Sum(t => t.Count));
        Assert.All(results, r => Assert.Contains(r.Template.Current, templates));
        Assert.Contains(templates, t => t.Text == "session opened for user=<*> by (uid=<*>)");
        Assert.Contains(templates, t => t.Text == "connection from <*> (<*>) at <*>");
    }

    [Fact]
    public void ConcurrentMergesLoseNoCounts()
    {
        var miner = new TemplateMiner(new PatternMineOptions { WordVariantsBeforeVariable = 3 });
        const int Count = 20_000;

        Parallel.For(0, Count, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
            miner.Add(Encoding.UTF8.GetBytes($"robot {Messages.Word(i % 50)} connected to dock {i % 7}")));

        var template = Assert.Single(miner.GetTemplates());
        Assert.Equal("robot <*> connected to dock <*>", template.Text);
        Assert.Equal(Count, template.Count);
    }

    [Fact]
    public void TheSameNewMessageFromManyThreadsCreatesOneTemplate()
    {
        const int Threads = 8;
        const int Rounds = 300;
        var miner = new TemplateMiner();
        var messages = Enumerable.Range(0, Rounds).Select(r => Encoding.UTF8.GetBytes($"a new {Messages.Word(r)} message {Messages.Word(r + 5000)}")).ToArray();
        var ids = new ulong[Rounds, Threads];
        using var start = new Barrier(Threads);

        // Dedicated threads released together by a barrier each round, so that all of them race on the insert.
        var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            for (var r = 0; r < Rounds; r++)
            {
                start.SignalAndWait();
                ids[r, t] = miner.Add(messages[r]).TemplateId;
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        for (var r = 0; r < Rounds; r++)
        {
            for (var t = 1; t < Threads; t++)
            {
                Assert.Equal(ids[r, 0], ids[r, t]);
            }
        }

        Assert.Equal(Rounds, miner.TemplateCount);
        Assert.All(miner.GetTemplates(), t => Assert.Equal(Threads, t.Count));
    }

    [Fact]
    public void TemplatesAreBoundedAndTheLeastRecentlySeenAreEvicted()
    {
        var miner = new TemplateMiner(new PatternMineOptions { MaxTemplates = 10 });
        var hot = miner.Add("hot message that keeps coming");

        for (var i = 0; i < 100; i++)
        {
            miner.Add($"cold {Messages.Word(i)} message {Messages.Word(i + 1000)}");
            miner.Add("hot message that keeps coming");
        }

        Assert.True(miner.TemplateCount <= 10, $"{miner.TemplateCount} templates kept");
        Assert.Equal(101 - miner.TemplateCount, miner.EvictedCount);
        Assert.False(hot.Template.Evicted);
        Assert.True(miner.TryGetTemplate(hot.TemplateId, out _));
        Assert.Contains(miner.GetTemplates(), t => t.Text == $"cold {Messages.Word(99)} message {Messages.Word(1099)}");
        Assert.DoesNotContain(miner.GetTemplates(), t => t.Text == $"cold {Messages.Word(0)} message {Messages.Word(1000)}");
    }

    [Fact]
    public void AnEvictedTemplateComesBackWithItsId()
    {
        var miner = new TemplateMiner(new PatternMineOptions { MaxTemplates = 1 });
        var first = miner.Add("first kind of message");

        miner.Add("second kind of message");
        var again = miner.Add("first kind of message");

        Assert.True(first.Template.Evicted);
        Assert.Equal(MatchKind.Created, again.Kind);
        Assert.Equal(first.TemplateId, again.TemplateId);
        Assert.Equal(2, miner.EvictedCount);
    }

    [Fact]
    public void EmptyMessageGetsTheEmptyTemplate()
    {
        var miner = new TemplateMiner();

        var empty = miner.Add(ReadOnlySpan<byte>.Empty);
        var blank = miner.Add(" \t \r\n ");

        Assert.Equal(string.Empty, empty.Template.Text);
        Assert.Same(empty.Template, blank.Template);
        Assert.Equal(0, empty.Template.TokenCount);
    }

    [Fact]
    public void OneMebibyteMessageIsMinedFromItsFirstBytesOnly()
    {
        var miner = new TemplateMiner();
        var huge = new StringBuilder("upload of ");
        while (huge.Length < 1024 * 1024)
        {
            huge.Append("chunk ").Append(huge.Length).Append(' ');
        }

        var first = miner.Add(huge.ToString());
        var second = miner.Add(huge.ToString().Replace("chunk 10", "chunk 99", StringComparison.Ordinal));

        Assert.Same(first.Template, second.Template);
        Assert.True(first.Template.Utf8.Length < 1024, $"template of {first.Template.Utf8.Length} bytes");
        Assert.StartsWith("upload of chunk <*> chunk <*>", first.Template.Text, StringComparison.Ordinal);
        Assert.EndsWith("<*>", first.Template.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void ACutThroughATokenLeavesThePartialTokenToTheTrailingVariable()
    {
        var miner = new TemplateMiner(new PatternMineOptions { MaxMessageBytes = 64, MaxTokens = 1000 });

        var first = miner.Add("dump " + string.Join(' ', Enumerable.Repeat("abcdefg", 100)));
        var second = miner.Add("dump " + string.Join(' ', Enumerable.Repeat("abcdefghij", 100)));

        Assert.Equal("dump abcdefg abcdefg abcdefg abcdefg abcdefg abcdefg abcdefg <*>", first.Template.Text);
        Assert.Equal(MatchKind.Created, second.Kind);
        Assert.Equal("dump abcdefghij abcdefghij abcdefghij abcdefghij abcdefghij <*>", second.Template.Text);
    }

    [Fact]
    public void TenThousandTokensFoldIntoOneTrailingVariable()
    {
        var miner = new TemplateMiner(new PatternMineOptions { MaxTokens = 128 });
        var words = string.Join(' ', Enumerable.Range(0, 10_000).Select(Messages.Word));

        var match = miner.Add("list " + words);

        Assert.Equal(128, match.Template.TokenCount);
        Assert.EndsWith(" <*>", match.Template.Text, StringComparison.Ordinal);
        Assert.Same(match.Template, miner.Add("list " + words).Template);
    }

    [Fact]
    public void BinaryJunkAndInvalidUtf8GiveAValidUtf8Template()
    {
        var miner = new TemplateMiner();
        var junk = new byte[4096];
        new Random(7).NextBytes(junk);
        byte[] invalid = [(byte)'b', (byte)'a', (byte)'d', 0xC3, 0x28, (byte)' ', 0xFF, 0xFE, (byte)' ', (byte)'x', 0xE2, 0x82];

        var fromJunk = miner.Add(junk);
        var fromInvalid = miner.Add(invalid);

        foreach (var template in new[] { fromJunk.Template, fromInvalid.Template })
        {
            var utf8 = template.Utf8.ToArray();
            Assert.Equal(utf8, Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(utf8)));
            Assert.DoesNotContain(template.Text, c => char.IsControl(c));
        }

        Assert.Equal("bad\uFFFD( \uFFFD\uFFFD x\uFFFD", fromInvalid.Template.Text);
    }

    [Fact]
    public void FloodOfUniqueMessagesKeepsMemoryBoundedAndCountsEvictions()
    {
        var miner = new TemplateMiner(new PatternMineOptions { MaxTemplates = 500 });

        for (var i = 0; i < 50_000; i++)
        {
            miner.Add($"{Messages.Word(i)} {Messages.Word(i * 31)} happened to {Messages.Word(i * 17)}");
        }

        var kept = miner.GetTemplates();
        Assert.True(kept.Length <= 500, $"{kept.Length} templates kept");
        Assert.Equal(kept.Length, miner.TemplateCount);
        Assert.Equal(50_000 - kept.Length, miner.EvictedCount);
        Assert.True(kept.Sum(t => t.Utf8.Length) < 500 * 64);
    }

    [Fact]
    public void OptionsAreValidatedNamingTheKey()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new TemplateMiner(new PatternMineOptions { SimilarityThreshold = 1.5 }));

        Assert.Contains("PatternMine:SimilarityThreshold", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new TemplateMiner(new PatternMineOptions { MaxTemplates = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TemplateMiner(new PatternMineOptions { WordVariantsBeforeVariable = 1 }));
    }
}
