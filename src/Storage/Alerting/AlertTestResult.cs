namespace Pipeline.Storage.Alerting;

/// <summary>The outcome of <see cref="AlertChannels.TestAsync"/>: success, or the channel's own error text.</summary>
public sealed record AlertTestResult(bool Success, string? Error)
{
    public static AlertTestResult Ok { get; } = new(true, null);
}
