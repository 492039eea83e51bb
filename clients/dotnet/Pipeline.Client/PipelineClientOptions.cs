using System.Globalization;
using System.Text;

namespace Pipeline.Client;

/// <summary>
/// How a <see cref="PipelineClient"/> connects and buffers. The client takes a snapshot at construction and
/// validates it (<see cref="Validate"/>); changing the object afterwards changes nothing.
/// </summary>
public sealed class PipelineClientOptions
{
    /// <summary>The longest <see cref="BootId"/> the server takes (docs/acks.md).</summary>
    public const int MaxBootIdLength = 128;

    /// <summary>
    /// The server: <c>ws://HOST:5080/ingest</c> (or <c>wss://</c>) for WebSocket, <c>tcp://HOST:5140</c> for NDJSON
    /// over TCP. A WebSocket URI without a path gets <c>/ingest</c>. Default <c>ws://127.0.0.1:5080/ingest</c>.
    /// </summary>
    public Uri Uri { get; set; } = new("ws://127.0.0.1:5080/ingest");

    /// <summary>The robot's id, sent in the hello (required).</summary>
    public string RobotId { get; set; } = "";

    /// <summary>New for every start of the logging process: sequence numbers count within it. Default a new GUID per options object.</summary>
    public string BootId { get; set; } = Guid.NewGuid().ToString();

    /// <summary>The robot's token when the server has robot tokens configured; sent in the hello (and as <c>Authorization: Bearer</c> on WebSocket). Default none.</summary>
    public string? Token { get; set; }

    /// <summary>At most this many unacknowledged events in memory. Default 100,000.</summary>
    public int MaxBufferedEvents { get; set; } = 100_000;

    /// <summary>At most this many bytes of unacknowledged events (as sent, NDJSON) in memory. Default 64 MiB.</summary>
    public long MaxBufferedBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>What logging does when the buffer (and the spill) is full. Default <see cref="OverflowPolicy.Block"/>.</summary>
    public OverflowPolicy OverflowPolicy { get; set; } = OverflowPolicy.Block;

    /// <summary>
    /// Where events go when the memory buffer is full, in files of up to <see cref="MaxBatchBytes"/>, read back in order
    /// as acknowledgements free memory. Default none (no spill: the <see cref="OverflowPolicy"/> applies at once).
    /// The spill bridges an outage; it is not kept across restarts of the process (a new boot starts anew).
    /// </summary>
    public string? SpillDirectory { get; set; }

    /// <summary>At most this many bytes in <see cref="SpillDirectory"/>. Default 1 GiB.</summary>
    public long MaxSpillBytes { get; set; } = 1024L * 1024 * 1024;

    /// <summary>The first reconnect waits about this long. Default 100 ms.</summary>
    public TimeSpan ReconnectMinDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Reconnects back off exponentially up to this, each delay drawn at random between the minimum and its cap (jitter). Default 10 s.</summary>
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>At most this many bytes of NDJSON lines per WebSocket message (TCP: per write). An event larger than this goes alone. Default 64 KiB.</summary>
    public int MaxBatchBytes { get; set; } = 64 * 1024;

    /// <summary>How long connecting, the hello and the server's resume ack may take before the attempt counts as failed. Default 10 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A connection with nothing to send sends <c>{"type":"heartbeat"}</c> this often, so the robot stays online. Default 20 s.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How long <see cref="PipelineClient.DisposeAsync"/> waits for acknowledgements before it closes anyway. Default 5 s.</summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Throws <see cref="ArgumentException"/> naming every bad setting.</summary>
    public void Validate()
    {
        var errors = new StringBuilder();
        void Check(bool ok, string name, string message)
        {
            if (!ok)
            {
                errors.Append(CultureInfo.InvariantCulture, $"PipelineClientOptions.{name} {message} ");
            }
        }

        var scheme = Uri?.Scheme;
        Check(Uri is not null && Uri.IsAbsoluteUri && scheme is "ws" or "wss" or "tcp", nameof(Uri),
            $"must be an absolute ws://, wss:// or tcp:// URI (got '{Uri}').");
        Check(scheme != "tcp" || Uri!.Port > 0, nameof(Uri), "needs a port for tcp:// (tcp://HOST:5140).");
        Check(!string.IsNullOrWhiteSpace(RobotId), nameof(RobotId), "is required: the robot's id.");
        Check(!string.IsNullOrWhiteSpace(BootId) && BootId.Length <= MaxBootIdLength, nameof(BootId),
            $"must be 1 to {MaxBootIdLength} characters (got {BootId?.Length ?? 0}).");
        Check(MaxBufferedEvents >= 1, nameof(MaxBufferedEvents), $"must be at least 1 (got {MaxBufferedEvents}).");
        Check(MaxBatchBytes >= 256, nameof(MaxBatchBytes), $"must be at least 256 (got {MaxBatchBytes}).");
        Check(MaxBufferedBytes >= MaxBatchBytes, nameof(MaxBufferedBytes),
            $"must be at least MaxBatchBytes ({MaxBatchBytes}) (got {MaxBufferedBytes}).");
        Check(SpillDirectory is null || MaxSpillBytes >= MaxBatchBytes, nameof(MaxSpillBytes),
            $"must be at least MaxBatchBytes ({MaxBatchBytes}) when SpillDirectory is set (got {MaxSpillBytes}).");
        Check(SpillDirectory is null || SpillDirectory.Length > 0, nameof(SpillDirectory), "must be a directory path or null.");
        Check(Enum.IsDefined(OverflowPolicy), nameof(OverflowPolicy), $"must be Block or DropOldest (got {OverflowPolicy}).");
        Check(ReconnectMinDelay > TimeSpan.Zero, nameof(ReconnectMinDelay), $"must be positive (got {ReconnectMinDelay}).");
        Check(ReconnectMaxDelay >= ReconnectMinDelay, nameof(ReconnectMaxDelay),
            $"must be at least ReconnectMinDelay ({ReconnectMinDelay}) (got {ReconnectMaxDelay}).");
        Check(ConnectTimeout > TimeSpan.Zero, nameof(ConnectTimeout), $"must be positive (got {ConnectTimeout}).");
        Check(HeartbeatInterval > TimeSpan.Zero, nameof(HeartbeatInterval), $"must be positive (got {HeartbeatInterval}).");
        Check(CloseTimeout >= TimeSpan.Zero, nameof(CloseTimeout), $"must not be negative (got {CloseTimeout}).");
        if (errors.Length > 0)
        {
            throw new ArgumentException(errors.ToString().TrimEnd());
        }
    }

    /// <summary>A copy, so the client's settings cannot change under it.</summary>
    internal PipelineClientOptions Snapshot()
    {
        var copy = (PipelineClientOptions)MemberwiseClone();
        if (copy.Uri.Scheme is "ws" or "wss" && copy.Uri.AbsolutePath == "/")
        {
            copy.Uri = new UriBuilder(copy.Uri) { Path = "/ingest" }.Uri;
        }

        return copy;
    }
}
