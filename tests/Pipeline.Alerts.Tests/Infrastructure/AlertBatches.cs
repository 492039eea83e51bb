using Pipeline.Blocks.Events;
using Pipeline.Tests.Shared.Batches;

namespace Pipeline.Alerts.Tests.Infrastructure;

/// <summary>Parsed batches of the lines a test writes.</summary>
internal sealed class AlertBatches : ParsedBatches
{
    public AlertBatches()
        : base(new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(), _ => "{}", null)
    {
    }

    public EventBatch From(SourceConnection source, params string[] lines)
    {
        var batch = Parsed(lines);
        batch.Source = source;
        return batch;
    }
}
