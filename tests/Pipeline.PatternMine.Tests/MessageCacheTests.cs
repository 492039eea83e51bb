using System.Text;
using Pipeline.Blocks.PatternMine;
using Pipeline.PatternMine.Tests.Infrastructure;
using Pipeline.PatternMine.Tests.Snapshots;

namespace Pipeline.PatternMine.Tests;

/// <summary>The miner's exact-message cache: a repeated message skips tokenising, and gets what mining would give.</summary>
public sealed class MessageCacheTests
{
    private static TemplateMiner Miner(int cache = 16_384, int maxTemplates = 10_000, int wordVariants = 8) =>
        new(new PatternMineOptions { MessageCacheSize = cache, MaxTemplates = maxTemplates, WordVariantsBeforeVariable = wordVariants });

    [Fact]
    public void ARepeatedMessageGetsItsTemplateAndEveryRepeatIsCounted()
    {
        var miner = Miner();
        var first = miner.Add("Battery level 80 percent");

        for (var i = 0; i < 10; i++)
        {
            Assert.Same(first.Template, miner.Add("Battery level 80 percent").Template);
        }

        Assert.Equal(11, first.Template.Count);
        Assert.Equal(1, miner.TemplateCount);
    }

    [Fact]
    public void ACachedMessageWhoseTemplateWasEvictedIsMinedAgainNotHandedTheEvictedTemplate()
    {
        var miner = Miner(maxTemplates: 1);
        var first = miner.Add("first kind of message");
        miner.Add("first kind of message"); // stored on its second sighting

        miner.Add("second kind of message");
        var again = miner.Add("first kind of message");

        Assert.True(first.Template.Evicted);
        Assert.False(again.Template.Evicted);
        Assert.Equal(MatchKind.Created, again.Kind);
    }

    [Fact]
    public void ACachedMessageWhoseTemplateMergedGetsTheSurvivor()
    {
        var miner = Miner(wordVariants: 4);
        var alice = miner.Add("robot alice connected to dock 7");
        miner.Add("robot bob connected to dock 8");
        var bob = miner.Add("robot bob connected to dock 8"); // stored
        miner.Add("robot carol connected to dock 9");
        miner.Add("robot dave connected to dock 1"); // the variants merge into alice's template

        var again = miner.Add("robot bob connected to dock 8");

        Assert.Same(alice.Template, bob.Template.MergedInto);
        Assert.Same(alice.Template, again.Template);
        Assert.Equal(6, alice.Template.Count);
    }

    [Fact]
    public void WithAndWithoutTheCacheEveryLoghubMessageGetsTheSameTemplateId()
    {
        var lines = SnapshotTestData.LoghubLines();
        var cached = Miner();
        var uncached = Miner(cache: 0);

        // Twice through, so that the second pass is served from the cache.
        for (var pass = 0; pass < 2; pass++)
        {
            foreach (var line in lines)
            {
                Assert.Equal(uncached.Add(line).TemplateId, cached.Add(line).TemplateId);
            }
        }

        Assert.Equal(uncached.TemplateCount, cached.TemplateCount);
    }

    [Fact]
    public void EveryLoghubMessageGetsTheSameIdAsJsonEscapedTextAsAsPlainText()
    {
        var plain = Miner(cache: 0);
        var escaped = Miner(cache: 0);
        var lines = SnapshotTestData.LoghubLines();
        lines.Add(Encoding.UTF8.GetBytes("tab\there \"quoted\" path C:\\temp\\x line\nbreak \u00e9t\u00e9"));
        lines.Add(Encoding.UTF8.GetBytes(string.Join(' ', Enumerable.Range(0, 200).Select(i => "w" + i)) + " \\ end"));

        foreach (var line in lines)
        {
            var text = Encoding.UTF8.GetString(line);
            var json = Encoding.UTF8.GetBytes(System.Text.Json.JsonEncodedText.Encode(text, System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping).Value);
            Assert.Equal(plain.Add(line).Template.Text, escaped.AddJsonEscaped(json).Template.Text);
        }

        Assert.Equal(plain.TemplateCount, escaped.TemplateCount);
    }

    [Fact]
    public void EscapedAndPlainFormsOfAMessageAreKeptApart()
    {
        var miner = Miner();
        var escaped = Encoding.UTF8.GetBytes("""path \"a b\" opened""");
        miner.AddJsonEscaped(escaped);
        var viaEscaped = miner.AddJsonEscaped(escaped);
        miner.Add(escaped);
        var viaPlain = miner.Add(escaped);

        Assert.Equal("path \"a b\" opened", viaEscaped.Template.Text);
        Assert.Equal("""path \"a b\" opened""", viaPlain.Template.Text);
    }

    [Fact]
    public void ThreadsRepeatingTheSameMessagesLoseNoCount()
    {
        var miner = Miner();
        var messages = Enumerable.Range(0, 50).Select(i => Encoding.UTF8.GetBytes($"sensor {Messages.Word(i)} reading {i % 7}")).ToArray();

        Parallel.For(0, 4, _ =>
        {
            for (var round = 0; round < 200; round++)
            {
                foreach (var message in messages)
                {
                    miner.Add(message);
                }
            }
        });

        Assert.Equal(4 * 200 * 50, miner.GetTemplates().Sum(t => t.Count));
    }
}
