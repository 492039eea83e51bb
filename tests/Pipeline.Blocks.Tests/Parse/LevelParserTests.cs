using System.Text;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Parse;

namespace Pipeline.Blocks.Tests.Parse;

public sealed class LevelParserTests
{
    [Theory]
    [InlineData("DEBUG", EventLevel.Debug)]
    [InlineData("debug", EventLevel.Debug)]
    [InlineData("Debug", EventLevel.Debug)]
    [InlineData("TRACE", EventLevel.Debug)]
    [InlineData("trace", EventLevel.Debug)]
    [InlineData("verbose", EventLevel.Debug)]
    [InlineData("INFO", EventLevel.Info)]
    [InlineData("info", EventLevel.Info)]
    [InlineData("iNfO", EventLevel.Info)]
    [InlineData("Information", EventLevel.Info)]
    [InlineData("notice", EventLevel.Info)]
    [InlineData("WARNING", EventLevel.Warning)]
    [InlineData("warning", EventLevel.Warning)]
    [InlineData("WARN", EventLevel.Warning)]
    [InlineData("Warn", EventLevel.Warning)]
    [InlineData("ERROR", EventLevel.Error)]
    [InlineData("error", EventLevel.Error)]
    [InlineData("ERR", EventLevel.Error)]
    [InlineData("err", EventLevel.Error)]
    [InlineData("CRITICAL", EventLevel.Critical)]
    [InlineData("critical", EventLevel.Critical)]
    [InlineData("crit", EventLevel.Critical)]
    [InlineData("FATAL", EventLevel.Critical)]
    [InlineData("fatal", EventLevel.Critical)]
    [InlineData("emerg", EventLevel.Critical)]
    [InlineData("Emergency", EventLevel.Critical)]
    [InlineData("alert", EventLevel.Critical)]
    [InlineData("panic", EventLevel.Critical)]
    public void ReadsLevelNamesCaseInsensitively(string name, EventLevel expected)
    {
        Assert.True(LevelParser.TryParseName(Encoding.ASCII.GetBytes(name), out var level));
        Assert.Equal(expected, level);
    }

    [Theory]
    [InlineData("")]
    [InlineData("bogus")]
    [InlineData("inf")]
    [InlineData("INFOO")]
    [InlineData(" info")]
    [InlineData("info ")]
    [InlineData("in fo")]
    [InlineData("WARNINGWARNING")]
    [InlineData("INFORMATIONAL_EXTRA")]
    [InlineData("3")]
    [InlineData("érror")]
    public void RejectsUnknownLevelNames(string name)
    {
        Assert.False(LevelParser.TryParseName(Encoding.UTF8.GetBytes(name), out _));
    }

    [Theory]
    [InlineData(0, EventLevel.Critical)] // emergency
    [InlineData(1, EventLevel.Critical)] // alert
    [InlineData(2, EventLevel.Critical)]
    [InlineData(3, EventLevel.Error)]
    [InlineData(4, EventLevel.Warning)]
    [InlineData(5, EventLevel.Info)]
    [InlineData(6, EventLevel.Info)]
    [InlineData(7, EventLevel.Debug)]
    public void ReadsSyslogSeveritiesUnderSyslogScheme(long code, EventLevel expected)
    {
        Assert.True(LevelParser.TryParseCode(code, NumericLevelScheme.Syslog, out var level));
        Assert.Equal(expected, level);
    }

    [Theory]
    [InlineData(0, EventLevel.Debug)]
    [InlineData(1, EventLevel.Info)]
    [InlineData(2, EventLevel.Critical)]
    [InlineData(3, EventLevel.Error)]
    [InlineData(4, EventLevel.Warning)]
    [InlineData(5, EventLevel.Info)]
    [InlineData(6, EventLevel.Info)]
    [InlineData(7, EventLevel.Debug)]
    public void ReadsZeroAndOneAsDebugAndInfoUnderMqScheme(long code, EventLevel expected)
    {
        Assert.True(LevelParser.TryParseCode(code, NumericLevelScheme.Mq, out var level));
        Assert.Equal(expected, level);
    }

    [Theory]
    [InlineData(NumericLevelScheme.Mq, 9, EventLevel.Error)]
    [InlineData(NumericLevelScheme.Mq, 11, EventLevel.Info)]
    [InlineData(NumericLevelScheme.Mq, 91, EventLevel.Error)]
    [InlineData(NumericLevelScheme.Mq, 99, EventLevel.Info)]
    [InlineData(NumericLevelScheme.Syslog, 9, EventLevel.Error)]
    [InlineData(NumericLevelScheme.Syslog, 11, EventLevel.Info)]
    [InlineData(NumericLevelScheme.Syslog, 91, EventLevel.Error)]
    [InlineData(NumericLevelScheme.Syslog, 99, EventLevel.Info)]
    public void ReadsMqCodesTheSameUnderBothSchemes(NumericLevelScheme scheme, long code, EventLevel expected)
    {
        Assert.True(LevelParser.TryParseCode(code, scheme, out var level));
        Assert.Equal(expected, level);
    }

    [Theory]
    [InlineData(NumericLevelScheme.Mq, -1)]
    [InlineData(NumericLevelScheme.Mq, 8)]
    [InlineData(NumericLevelScheme.Mq, 10)]
    [InlineData(NumericLevelScheme.Mq, 12)]
    [InlineData(NumericLevelScheme.Mq, 90)]
    [InlineData(NumericLevelScheme.Mq, 100)]
    [InlineData(NumericLevelScheme.Mq, long.MaxValue)]
    [InlineData(NumericLevelScheme.Mq, long.MinValue)]
    [InlineData(NumericLevelScheme.Syslog, -1)]
    [InlineData(NumericLevelScheme.Syslog, 8)]
    [InlineData(NumericLevelScheme.Syslog, 100)]
    public void RejectsUnknownCodes(NumericLevelScheme scheme, long code)
    {
        Assert.False(LevelParser.TryParseCode(code, scheme, out _));
    }

    [Theory]
    [InlineData(EventLevel.Debug, "DEBUG")]
    [InlineData(EventLevel.Info, "INFO")]
    [InlineData(EventLevel.Warning, "WARNING")]
    [InlineData(EventLevel.Error, "ERROR")]
    [InlineData(EventLevel.Critical, "CRITICAL")]
    public void NameIsTheUpperCaseNameThatParsesBack(EventLevel level, string expected)
    {
        var name = LevelParser.Name(level);

        Assert.Equal(expected, Encoding.ASCII.GetString(name));
        Assert.True(LevelParser.TryParseName(name, out var back));
        Assert.Equal(level, back);
    }
}
