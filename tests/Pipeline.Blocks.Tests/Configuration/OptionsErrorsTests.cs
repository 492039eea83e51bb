using Pipeline.Blocks.Configuration;

namespace Pipeline.Blocks.Tests.Configuration;

public sealed class OptionsErrorsTests
{
    [Fact]
    public void CheckAddsThePrefixTheKeyAndTheMessageOnlyWhenNotOk()
    {
        var list = new List<string>();
        var errors = new OptionsErrors("Pipeline:Sinks:ClickHouse", list);

        errors.Check(true, "Table", "must be a plain identifier.");
        errors.Check(false, "Database", "must be a plain identifier.");

        Assert.Equal(["Pipeline:Sinks:ClickHouse:Database: must be a plain identifier."], list);
    }

    [Fact]
    public void NestedAddsToTheSameListUnderTheLongerPrefix()
    {
        var list = new List<string>();
        var errors = new OptionsErrors("Pipeline:Sinks:ClickHouse", list);

        errors.Nested("Spool").Check(false, "MaxBytes", "too small.");
        errors.Check(false, "TtlDays", "negative.");

        Assert.Equal(["Pipeline:Sinks:ClickHouse:Spool:MaxBytes: too small.", "Pipeline:Sinks:ClickHouse:TtlDays: negative."], list);
    }

    [Fact]
    public void CheckSentenceJoinsTheKeyAndThePredicateWithASpace()
    {
        var list = new List<string>();

        new OptionsErrors("Pipeline:PatternMine:Snapshots", list).CheckSentence(false, "Interval", "must be positive.");

        Assert.Equal(["Pipeline:PatternMine:Snapshots:Interval must be positive."], list);
    }

    [Fact]
    public void ThrowIfInvalidThrowsOneExceptionListingEveryError()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => OptionsErrors.ThrowIfInvalid(new TwoBadKeys(), "Pipeline:Test"));

        Assert.Null(ex.ParamName);
        Assert.Equal($"Pipeline:Test:A: bad.{Environment.NewLine}Pipeline:Test:B: bad.", ex.Message);
    }

    [Fact]
    public void ThrowIfInvalidDoesNotThrowForValidOptions() =>
        OptionsErrors.ThrowIfInvalid(new NoBadKeys(), "Pipeline:Test");

    private sealed class TwoBadKeys : IValidatedOptions
    {
        public void Validate(OptionsErrors errors)
        {
            errors.Check(false, "A", "bad.");
            errors.Check(false, "B", "bad.");
        }
    }

    private sealed class NoBadKeys : IValidatedOptions
    {
        public void Validate(OptionsErrors errors) => errors.Check(true, "A", "bad.");
    }
}
