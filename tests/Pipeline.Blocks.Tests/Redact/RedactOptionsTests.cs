using Pipeline.Blocks.Configuration;
using Pipeline.Blocks.Redact;

namespace Pipeline.Blocks.Tests.Redact;

public sealed class RedactOptionsTests
{
    [Fact]
    public void TheDefaultsAreValid() => Assert.Empty(Errors(new RedactOptions()));

    [Fact]
    public void EveryBadPatternIsReportedByItsIndexAndAnEmptyKeyToo()
    {
        var options = new RedactOptions { Patterns = ["(unclosed", "fine", "[z-a]"], Keys = ["token", " "] };

        var errors = Errors(options);

        Assert.Equal(3, errors.Count);
        Assert.StartsWith("Pipeline:Redact:Patterns:0: not a valid regular expression: ", errors[0]);
        Assert.StartsWith("Pipeline:Redact:Patterns:2: not a valid regular expression: ", errors[1]);
        Assert.Equal("Pipeline:Redact:Keys: must not contain empty keys.", errors[2]);
    }

    private static List<string> Errors(RedactOptions options)
    {
        var errors = new List<string>();
        options.Validate(new OptionsErrors("Pipeline:Redact", errors));
        return errors;
    }
}
