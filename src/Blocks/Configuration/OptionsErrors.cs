namespace Pipeline.Blocks.Configuration;

/// <summary>
/// The errors of one configuration section: a key path (<c>Pipeline:Sinks:ClickHouse</c>) and the list
/// shared by every section, so nested sections (<see cref="Nested"/>) add to the same list.
/// </summary>
public sealed class OptionsErrors
{
    private readonly List<string> _errors;

    public OptionsErrors(string prefix, List<string> errors)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        ArgumentNullException.ThrowIfNull(errors);
        Prefix = prefix;
        _errors = errors;
    }

    /// <summary>The section's key path, e.g. <c>Pipeline:Sinks:ClickHouse</c>.</summary>
    public string Prefix { get; }

    /// <summary>The errors of the sub-section <paramref name="key"/> (<c>Spool</c> → <c>…:ClickHouse:Spool</c>), into the same list.</summary>
    public OptionsErrors Nested(string key) => new($"{Prefix}:{key}", _errors);

    /// <summary>Unless <paramref name="ok"/>, adds <c>{Prefix}:{key}: {message}</c>.</summary>
    public void Check(bool ok, string key, string message)
    {
        if (!ok)
        {
            Add(key, message);
        }
    }

    /// <summary>Adds <c>{Prefix}:{key}: {message}</c>, for a check that is not a condition (a parse that throws).</summary>
    public void Add(string key, string message) => _errors.Add($"{Prefix}:{key}: {message}");

    /// <summary>
    /// Unless <paramref name="ok"/>, adds <c>{Prefix}:{key} {predicate}</c>: the older messages of the
    /// pattern miner's sub-sections read as one sentence (<c>…:Snapshots:Interval must be positive</c>),
    /// and tests and operators match on that text, so it is kept.
    /// </summary>
    public void CheckSentence(bool ok, string key, string predicate)
    {
        if (!ok)
        {
            _errors.Add($"{Prefix}:{key} {predicate}");
        }
    }

    /// <summary>
    /// For options built in code rather than bound from configuration: validates <paramref name="options"/>
    /// under <paramref name="prefix"/> and throws one <see cref="ArgumentOutOfRangeException"/> listing every
    /// error, one per line.
    /// </summary>
    public static void ThrowIfInvalid(IValidatedOptions options, string prefix)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        options.Validate(new OptionsErrors(prefix, errors));
        if (errors.Count > 0)
        {
            // No parameter name: the message already names each key, and a "(Parameter …)" suffix would
            // only have to be cut off again by whoever shows it.
            throw new ArgumentOutOfRangeException(paramName: null, message: string.Join(Environment.NewLine, errors));
        }
    }
}
