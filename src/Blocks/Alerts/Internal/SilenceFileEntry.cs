namespace Pipeline.Blocks.Alerts.Internal;

/// <summary>A silence as <c>silences.json</c> holds it.</summary>
internal sealed class SilenceFileEntry
{
    public string Id { get; set; } = "";
    public List<SilenceMatcher> Matchers { get; set; } = [];
    public DateTimeOffset? StartsAt { get; set; }
    public DateTimeOffset Until { get; set; }
    public string CreatedBy { get; set; } = "";
    public string Comment { get; set; } = "";

    public static SilenceFileEntry From(Silence s) => new()
    {
        Id = s.Id, Matchers = [.. s.Matchers], StartsAt = s.StartsAt, Until = s.Until, CreatedBy = s.CreatedBy, Comment = s.Comment,
    };

    public Silence ToSilence() => new()
    {
        Id = Id, Matchers = Matchers, StartsAt = StartsAt, Until = Until, CreatedBy = CreatedBy, Comment = Comment,
    };
}
