namespace Pipeline.Ingest.Http;

/// <summary>One matcher of a <see cref="SilenceRequest"/>: a label <c>name</c>, and a <c>value</c> it must equal (or match, with <c>is_regex</c>).</summary>
internal sealed class SilenceMatcherRequest
{
    public string? Name { get; set; }

    public string? Value { get; set; }

    public bool IsRegex { get; set; }
}
