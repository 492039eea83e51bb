namespace Pipeline.Blocks.Alerts;

/// <summary>Mutes the alerts whose labels meet every matcher until <see cref="Until"/>; they still show in the API, marked silenced.</summary>
public sealed class Silence
{
    /// <summary>Set by <see cref="SilenceStore.Add"/>.</summary>
    public string Id { get; init; } = "";

    public required IReadOnlyList<SilenceMatcher> Matchers { get; init; }

    public DateTimeOffset? StartsAt { get; init; }

    public required DateTimeOffset Until { get; init; }

    public string CreatedBy { get; init; } = "";

    public string Comment { get; init; } = "";
}
