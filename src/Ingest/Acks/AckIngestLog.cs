using Microsoft.Extensions.Logging;

namespace Pipeline.Ingest.Acks;

internal static partial class AckIngestLog
{
    [LoggerMessage(EventId = 9101, Level = LogLevel.Warning,
        Message = "Acks: robot {Robot} boot {Boot} reconnected, and its previous connection did not hand on its last batch within {Seconds} s; going on (its events may be out of seq order in the files)")]
    public static partial void TakeoverSlow(ILogger logger, string robot, string boot, double seconds);
}
