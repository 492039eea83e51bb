using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Pipeline.Blocks.PatternMine;
using Pipeline.Blocks.PatternMine.Internal;
using Pipeline.PatternMine.Tests.Infrastructure;

namespace Pipeline.PatternMine.Tests.Snapshots;

public sealed class PatternSnapshotFormatTests
{
    [Fact]
    public void EveryTemplateMinedFromLoghubRoundTripsFieldByField()
    {
        var miner = new TemplateMiner();
        foreach (var line in SnapshotTestData.LoghubLines())
        {
            miner.Add(line);
        }

        var exported = miner.Export();
        var read = SnapshotTestData.ThroughJson(miner, out _);

        Assert.True(exported.Templates.Length > 250, $"only {exported.Templates.Length} templates");
        Assert.Contains(exported.Templates, t => t.Generalisations > 0);
        Assert.Contains(exported.Templates, t => Array.Exists(t.Tokens, k => k.Generalised));
        Assert.Contains(exported.Templates, t => Array.Exists(t.Tokens, k => k.Shape == TokenShape.Mixed));
        Assert.Equal(exported.Clock, read.Clock);
        Assert.Equal(exported.Templates.Length, read.Templates.Length);
        for (var i = 0; i < exported.Templates.Length; i++)
        {
            var a = exported.Templates[i];
            var b = read.Templates[i];
            Assert.Equal(a.Id, b.Id);
            Assert.Equal(a.Text, b.Text);
            Assert.Equal(a.Count, b.Count);
            Assert.Equal(a.FirstSeenAt, b.FirstSeenAt);
            Assert.Equal(a.LastSeenAt, b.LastSeenAt);
            Assert.Equal(a.Example, b.Example);
            Assert.Equal(a.Generalisations, b.Generalisations);
            Assert.Equal(a.Sequence, b.Sequence);
            Assert.Equal(a.LastSequence, b.LastSequence);
            SnapshotTestData.AssertTokensEqual(a.Tokens, b.Tokens);
            Assert.True(miner.TryGetTemplate(a.Id, out var original));
            Assert.Equal(original.BucketKey, TemplateMiner.BucketKeyOf(b.Tokens));
        }
    }

    [Fact]
    public void InvalidUtf8TokensRoundTripByteForByteAsBase64()
    {
        var miner = new TemplateMiner();
        byte[][] junk =
        [
            [0xFF, 0xFE, 0x20, 0xC3, 0x28, 0x20, 0x00, 0x01, 0x7F],
            [0x80, 0x81, 0x20, 0xED, 0xA0, 0x80, 0x20, 0xF8, 0x88, 0x80, 0x80, 0x80],
            [.. "header "u8, 0xC0, 0xAF, .. " trailer"u8],
        ];
        foreach (var message in junk)
        {
            miner.Add(message);
        }

        var exported = miner.Export();
        var read = SnapshotTestData.ThroughJson(miner, out var json);

        Assert.Contains(exported.Templates, t => Array.Exists(t.Tokens, k => !Utf8.IsValid(k.Text)));
        Assert.Contains("\"base64\":", Encoding.UTF8.GetString(json));
        for (var i = 0; i < exported.Templates.Length; i++)
        {
            SnapshotTestData.AssertTokensEqual(exported.Templates[i].Tokens, read.Templates[i].Tokens);
        }
    }

    [Theory]
    [InlineData("template text <*> pasted into a log line")]
    [InlineData("values a<*>b and <*>x and ** and <*><*> and <*")]
    [InlineData("<*> first")]
    public void InputThatAlreadyContainsWildcardsRoundTrips(string message)
    {
        var miner = new TemplateMiner();
        miner.Add(message);
        miner.Add(message.Replace("and", "or", StringComparison.Ordinal));

        var exported = miner.Export();
        var read = SnapshotTestData.ThroughJson(miner, out _);

        for (var i = 0; i < exported.Templates.Length; i++)
        {
            SnapshotTestData.AssertTokensEqual(exported.Templates[i].Tokens, read.Templates[i].Tokens);
            Assert.True(miner.TryGetTemplate(exported.Templates[i].Id, out var original));
            Assert.Equal(original.BucketKey, TemplateMiner.BucketKeyOf(read.Templates[i].Tokens));
        }
    }

    [Fact]
    public void ATokenWhoseShapeIsNotTheShapeOfItsTextKeepsItsShape()
    {
        var literal = new TemplateToken("<*>"u8.ToArray(), StableHash.Hash("<*>"u8), TokenShape.Literal, wordy: true, generalised: false);
        var entry = new PatternSnapshotEntry(42, [literal], "<*>", 1, 0, 0, null, 0, 1, 1);
        using var stream = new MemoryStream();
        PatternSnapshotFormat.Write(stream, new PatternSnapshot(1, [entry]), DateTimeOffset.UnixEpoch);

        var read = PatternSnapshotFormat.Read(stream.ToArray());

        SnapshotTestData.AssertTokensEqual([literal], read.Templates[0].Tokens);
    }

    [Fact]
    public void TheEmptyTemplateRoundTrips()
    {
        var miner = new TemplateMiner();
        var empty = miner.Add(ReadOnlySpan<byte>.Empty);

        var read = SnapshotTestData.ThroughJson(miner, out _);

        var entry = Assert.Single(read.Templates);
        Assert.Equal(empty.TemplateId, entry.Id);
        Assert.Empty(entry.Tokens);
        Assert.Equal(empty.Template.BucketKey, TemplateMiner.BucketKeyOf(entry.Tokens));
    }

    [Fact]
    public void ATenThousandTokenTemplateRoundTrips()
    {
        var miner = new TemplateMiner(new PatternMineOptions { MaxTokens = 20_000, MaxMessageBytes = 1024 * 1024 });
        var message = string.Join(' ', Enumerable.Range(0, 10_000).Select(Messages.Word));
        var match = miner.Add(message);

        var exported = miner.Export();
        var read = SnapshotTestData.ThroughJson(miner, out _);

        Assert.Equal(10_000, match.Template.TokenCount);
        SnapshotTestData.AssertTokensEqual(exported.Templates[0].Tokens, read.Templates[0].Tokens);
    }

    [Fact]
    public void OrdinaryTokensArePlainStringsAndGeneralisedOnesAreMarked()
    {
        var miner = new TemplateMiner();
        miner.Add("authentication failure; tty=NODEVssh rhost=10.0.0.1 user=root");
        var generalised = miner.Add("authentication failure; tty=NODEVssh rhost=10.0.0.2 user=guest");

        SnapshotTestData.ThroughJson(miner, out var json);

        using var doc = JsonDocument.Parse(json);
        var template = doc.RootElement.GetProperty("templates")[0];
        Assert.Equal(generalised.TemplateId, template.GetProperty("id").GetUInt64());
        Assert.Equal("authentication failure; tty=NODEVssh rhost=<*> user=<*>", template.GetProperty("text").GetString());
        var tokens = template.GetProperty("tokens");
        Assert.Equal("authentication", tokens[0].GetString());
        Assert.Equal("rhost=<*>", tokens[3].GetString());
        Assert.Equal("user=<*>", tokens[4].GetProperty("text").GetString());
        Assert.True(tokens[4].GetProperty("generalised").GetBoolean());
        Assert.Equal(1, doc.RootElement.GetProperty("version").GetInt32());
    }

    [Fact]
    public void TimesAreWrittenAsRfc3339AndReadBackToTheMillisecond()
    {
        var miner = new TemplateMiner();
        miner.Add("disk full on /var").Template.Seen(1_763_900_000_123);

        var read = SnapshotTestData.ThroughJson(miner, out var json);

        Assert.Contains("\"first_seen\":\"2025-11-23T12:13:20.123Z\"", Encoding.UTF8.GetString(json));
        Assert.Equal(1_763_900_000_123, read.Templates[0].FirstSeenAt);
        Assert.Equal(1_763_900_000_123, read.Templates[0].LastSeenAt);
    }

    [Theory]
    [InlineData("{\"version\":2,\"clock\":0,\"templates\":[]}", "version 2")]
    [InlineData("{\"version\":1,\"clock\":0,\"templates\":[{\"id\":1,\"text\":\"a\"", "")]
    [InlineData("[]", "root")]
    [InlineData("{\"version\":1,\"clock\":0,\"templates\":[{\"id\":1}]}", "'tokens' is missing")]
    [InlineData("{\"version\":1,\"clock\":0,\"templates\":[{\"id\":1,\"text\":\"a\",\"count\":1,\"first_seen\":null,\"last_seen\":null,\"generalisations\":0,\"seq\":1,\"last_seq\":1,\"tokens\":[7]}]}", "Number")]
    public void AnUnreadableSnapshotIsAFormatException(string json, string reason)
    {
        var ex = Assert.Throws<FormatException>(() => PatternSnapshotFormat.Read(Encoding.UTF8.GetBytes(json)));
        Assert.Contains(reason, ex.Message);
    }
}
