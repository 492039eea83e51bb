namespace Pipeline.Storage.RabbitMq.Internal;

internal enum PublishOutcome : byte
{
    /// <summary>Not published in this attempt (an earlier group failed).</summary>
    NotSent,
    Confirmed,
    Nacked,
    Returned,
    /// <summary>No confirm within the publish timeout.</summary>
    TimedOut,
    /// <summary>The channel or connection closed under it.</summary>
    Closed,
    /// <summary>Came back unroutable too often: dead-lettered, not published again.</summary>
    Unroutable,
}
