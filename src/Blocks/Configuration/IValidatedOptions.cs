namespace Pipeline.Blocks.Configuration;

/// <summary>
/// An options type that checks its own values. It reports every bad value, each under its full key
/// path, instead of stopping at the first, so one run of <c>pipeline validate</c> lists them all.
/// </summary>
public interface IValidatedOptions
{
    /// <summary>Adds one message per bad value to <paramref name="errors"/>, whose prefix is this section's key path.</summary>
    void Validate(OptionsErrors errors);
}
