using Pipeline.Blocks.Configuration;
using Pipeline.Blocks.Parse;

namespace Pipeline.Blocks.Tests.Parse;

public sealed class ParseOptionsTests
{
    [Fact]
    public void TheDefaultsAreValid() => Assert.Empty(Errors(new ParseOptions()));

    [Theory]
    [InlineData(1)]
    [InlineData(1001)]
    public void ADepthOutOfRangeIsReportedWithItsPath(int depth) =>
        Assert.Equal([$"Pipeline:Parse:MaxDepth: must be 2 to 1000 (got {depth})."], Errors(new ParseOptions { MaxDepth = depth }));

    private static List<string> Errors(ParseOptions options)
    {
        var errors = new List<string>();
        options.Validate(new OptionsErrors("Pipeline:Parse", errors));
        return errors;
    }
}
