using System.Text;
using Pipeline.Blocks.PatternMine.Internal;

namespace Pipeline.PatternMine.Tests;

public sealed class MessageTokenizerTests
{
    private readonly MessageTokenizer _tokenizer = new(maxTokens: 128, maxTokenBytes: 256);
    private readonly TokenizedMessage _scratch = new();

    [Theory]
    [InlineData("took 42 ms", "took <*> ms")]
    [InlineData("offset -17 and +3", "offset <*> and <*>")]
    [InlineData("progress 0.023958297 done", "progress <*> done")]
    [InlineData("vCores:-17 ok", "vCores:<*> ok")]
    [InlineData("register 0x00002000 set", "register <*> set")]
    [InlineData("iar 003a90fc dear 00b360e8", "iar <*> dear <*>")]
    [InlineData("fpr29=0xffffffff ffffffff", "fpr29=<*> <*>")]
    public void MasksNumbersAndHex(string message, string expected) => Assert.Equal(expected, Mask(message));

    [Theory]
    [InlineData("from 10.251.42.84 ok", "from <*> ok")]
    [InlineData("src: /10.251.30.6:33145 dest", "src: <*> dest")]
    [InlineData("10.251.30.85:50010:Got exception", "<*>:Got exception")]
    [InlineData("10.11.21.122,10.11.10.1 GET", "<*> GET")]
    [InlineData("peer fe80::1ff:fe23:4567:890a up", "peer <*> up")]
    [InlineData("listening on [::1]:8080", "listening on [<*>]:<*>")]
    public void MasksIpAddressesAndPorts(string message, string expected) => Assert.Equal(expected, Mask(message));

    [Theory]
    [InlineData("server: msra-sa-41:8030. Already", "server: <*>. Already")]
    [InlineData("Old: msra-sa-41/10.190.173.170:9000 New", "Old: <*> New")]
    [InlineData("node cp-1.slowvm1.tcloud-pg0.utah.cloudlab.us up", "node <*> up")]
    [InlineData("resolve proxy.cse.cuhk.edu.hk error", "resolve <*> error")]
    [InlineData("class org.apache.hadoop.mapreduce.MRAppMaster started", "class org.apache.hadoop.mapreduce.MRAppMaster started")]
    [InlineData("mapred.task.id is deprecated", "mapred.task.id is deprecated")]
    public void MasksHostNamesButNotDottedIdentifiers(string message, string expected) => Assert.Equal(expected, Mask(message));

    [Theory]
    [InlineData("[instance: b9000564-fe1a-409b-b8cc-1e88b294cd1d] VM Started", "[instance: <*>] VM Started")]
    [InlineData("network-vif-plugged:e3871ffd-5cd5-4287-bddd-3529f7b59515 for", "network-vif-plugged:<*> for")]
    [InlineData("chip FF:F2:9F:16:E2:23:00:0D:60:E9:1D:DC ip", "chip <*> ip")]
    [InlineData("block blk_-6952295868487656571 done", "block <*> done")]
    [InlineData("found rdd_2_0 locally", "found <*> locally")]
    [InlineData("domain storage1231 full", "domain <*> full")]
    public void MasksIdentifiers(string message, string expected) => Assert.Equal(expected, Mask(message));

    [Theory]
    [InlineData("Deleting file /mnt/hadoop/dfs/data/current/blk_1", "Deleting file <*>")]
    [InlineData("LOGIN chdir(/p/gb2/glosli/t800) failed", "LOGIN chdir(<*>) failed")]
    [InlineData("image at (/var/lib/nova/_base/a489c868f0): checking", "image at (<*>): checking")]
    [InlineData("Extract jar:file:/D:/hadoop/yarn.jar!/webapps to", "Extract jar:file:<*> to")]
    [InlineData(@"copy C:\Users\me\AppData\x.tmp done", "copy <*> done")]
    [InlineData("see: http://wiki.apache.org/hadoop/NoRouteToHost", "see: <*>")]
    [InlineData("\"GET /v2/54fadb/servers/detail HTTP/1.1\" status: 200", "\"GET <*>\" status: <*>")]
    public void MasksPathsUrlsAndRequestTargets(string message, string expected) => Assert.Equal(expected, Mask(message));

    [Theory]
    [InlineData("connection at Fri Jun 17 07:07:00 2005", "connection at <*>")]
    [InlineData("changed status=M Fri Jul 01 08:16:53 PDT 2005", "changed status=M <*>")]
    [InlineData("audit from 2017-05-16 05:00:00 to 2017-05-16 06:00:00.", "audit from <*> to <*>.")]
    [InlineData("at 17:41:44,747 ok", "at <*>,<*> ok")]
    [InlineData("May the force be with you", "May the force be with you")]
    public void MasksDatesAndTimes(string message, string expected) => Assert.Equal(expected, Mask(message));

    [Theory]
    [InlineData("close, 1190 bytes (1.16 KB) sent, 0 bytes received, lifetime <1 sec", "close, <*> sent, <*> received, lifetime <*>")]
    [InlineData("(estimated size 5.2 KB, free 14.0 KB)", "(estimated size <*>, free <*>)")]
    [InlineData("slow read took 65020ms (threshold=30000ms)", "slow read took <*> (threshold=<*>)")]
    [InlineData("Took 19.05 seconds to build", "Took <*> seconds to build")]
    public void MasksSizesAndDurations(string message, string expected) => Assert.Equal(expected, Mask(message));

    [Theory]
    [InlineData("logname= uid=0 euid=0 tty=NODEVssh", "logname= uid=<*> euid=<*> tty=NODEVssh")]
    [InlineData("setTodayTotalDetailSteps=1514038440000##7007##548365", "setTodayTotalDetailSteps=<*>")]
    [InlineData("new date =20171223, type=40002,7163.0,old=6983.0", "new date =<*>, type=<*>,<*>,old=<*>")]
    [InlineData("view: name=cp-1.vm1.example.us phys_ram=64172MB pci_stats=[]", "view: name=<*> phys_ram=<*> pci_stats=[]")]
    [InlineData("state (HWID=1973)", "state (HWID=<*>)")]
    [InlineData("isEmpty=true enabled:false config null", "isEmpty=<*> enabled:<*> config <*>")]
    public void MasksValuesOfKeyValuePairs(string message, string expected) => Assert.Equal(expected, Mask(message));

    [Theory]
    [InlineData("Slf4jLogger started on tty2 via ee0")]
    [InlineData("loaded properties from hadoop-metrics2.properties")]
    [InlineData("Connection reset by peer")]
    public void KeepsWordsWithASingleEmbeddedDigit(string message) => Assert.Equal(message, Mask(message));

    [Fact]
    public void SplitsOnAnyWhitespaceAndControlBytes()
    {
        Assert.Equal("a b c d", Mask("  a\tb \u0001 c\r\n  d  "));
    }

    [Fact]
    public void ATokenLongerThanTheLimitIsOneVariable()
    {
        Assert.Equal("payload <*> end", Mask("payload " + new string('q', 300) + " end"));
    }

    [Fact]
    public void TokensPastTheLimitFoldIntoOneTrailingVariable()
    {
        var tokenizer = new MessageTokenizer(maxTokens: 4, maxTokenBytes: 256);

        tokenizer.Tokenize("a b c d e f g"u8, _scratch);

        Assert.Equal("a b c <*>", Join(_scratch));
    }

    [Fact]
    public void ShapeHashIsTheSameForMessagesThatMaskTheSame()
    {
        _tokenizer.Tokenize("took 42 ms on 10.0.0.1"u8, _scratch);
        var first = _scratch.SequenceHash;
        _tokenizer.Tokenize("took  7 ms on 10.9.8.7"u8, _scratch);
        var second = _scratch.SequenceHash;
        _tokenizer.Tokenize("took 7 ms on host"u8, _scratch);

        Assert.Equal(first, second);
        Assert.NotEqual(first, _scratch.SequenceHash);
    }

    private string Mask(string message)
    {
        _tokenizer.Tokenize(Encoding.UTF8.GetBytes(message), _scratch);
        return Join(_scratch);
    }

    private static string Join(TokenizedMessage m)
    {
        var parts = new string[m.Count];
        for (var i = 0; i < m.Count; i++)
        {
            parts[i] = Encoding.UTF8.GetString(m.TokenText(i));
        }

        return string.Join(' ', parts);
    }
}
