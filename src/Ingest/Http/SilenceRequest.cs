namespace Pipeline.Ingest.Http;

/// <summary>
/// The body of <c>POST /api/silences</c>: <c>{"matchers":[{"name":"robot_id","value":"r-7"}],"until":"…"}</c>, or
/// <c>"duration":"01:30:00"</c> instead of <c>until</c>; matchers with <c>"is_regex":true</c> match by regular expression.
/// </summary>
internal sealed class SilenceRequest
{
    public List<SilenceMatcherRequest>? Matchers { get; set; }

    public DateTimeOffset? Until { get; set; }

    public TimeSpan? Duration { get; set; }

    public string? CreatedBy { get; set; }

    public string? Comment { get; set; }
}
