using System.Text.Encodings.Web;
using System.Text.Json;

namespace Pipeline.Blocks.Events;

/// <summary>
/// Where a batch came from. One instance per connection, shared by all of its batches, so the
/// per-connection enrichment fields cost nothing per event.
/// </summary>
public sealed class SourceConnection
{
    private string? _robotId;
    private byte[]? _authenticatedRobot;
    private long _lines;
    private long _bytes;
    private int _closed;

    public SourceConnection(string protocol, long id, string remote, string node)
    {
        Protocol = protocol;
        Id = id;
        Remote = remote;
        Node = node;
        IsTransport = protocol is "tcp" or "websocket";
        JsonFields = Fields(null);
    }

    /// <summary>"protocol":"tcp","conn_id":7,"remote":"…","node":"…"[,"boot_id":"…"] — written as one copy per event.</summary>
    private byte[] Fields(string? bootId)
    {
        var encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        return System.Text.Encoding.UTF8.GetBytes(
            $"\"protocol\":\"{JsonEncodedText.Encode(Protocol, encoder)}\",\"conn_id\":{Id}," +
            $"\"remote\":\"{JsonEncodedText.Encode(Remote, encoder)}\",\"node\":\"{JsonEncodedText.Encode(Node, encoder)}\"" +
            (bootId is null ? "" : $",\"boot_id\":\"{JsonEncodedText.Encode(bootId, encoder)}\""));
    }

    /// <summary>
    /// The connection feeds an acknowledged boot (its hello asked for acks): its events carry <c>boot_id</c> in the files
    /// (with their <c>seq</c> in <c>attrs</c>, the service recovers what is durable from them) and belong to the hello's
    /// robot, as an authenticated robot's do. Called by ingest before the connection's first batch is handed on.
    /// </summary>
    public void BindAcknowledged(string robotId, string bootId)
    {
        TryBindRobot(robotId);
        _authenticatedRobot ??= JsonEncodedText.Encode(robotId, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).EncodedUtf8Bytes.ToArray();
        BootId = bootId;
        JsonFields = Fields(bootId);
    }

    /// <summary>The robot boot whose numbered events the connection carries (acks), or null.</summary>
    public string? BootId { get; private set; }

    /// <summary>Placeholder for batches that were not made by a connection (tests, replays).</summary>
    public static SourceConnection Unknown { get; } = new("none", 0, "", "");

    /// <summary>
    /// The robot the connection authenticated as (robot tokens configured), as JSON-escaped UTF-8, else null.
    /// The parse block gives its events this robot_id when they have none and refuses another one.
    /// </summary>
    public byte[]? AuthenticatedRobot { get => _authenticatedRobot; init => _authenticatedRobot = value; }

    public string Protocol { get; }
    public long Id { get; }
    public string Remote { get; }
    public string Node { get; }

    /// <summary>A robot's connection (TCP or WebSocket), not an internal source: only these make presence.</summary>
    public bool IsTransport { get; }

    /// <summary>The connection's fields as a JSON fragment, without braces.</summary>
    public byte[] JsonFields { get; private set; }

    /// <summary>
    /// The robot this connection belongs to: from the auth check, the hello, <c>?robot_id=</c> or the
    /// first event that names one. Null until known; set once (<see cref="TryBindRobot"/>).
    /// </summary>
    public string? RobotId => Volatile.Read(ref _robotId);

    /// <summary>Lines the connection's framer handed on (events, control messages and bad lines alike).</summary>
    public long Lines => Interlocked.Read(ref _lines);

    /// <summary>Bytes read from the connection.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>
    /// False once the connection's read loop ended and its last batch was handed on (set by ingest):
    /// presence for the alert block (a robot whose last connection closed is offline). Sources that are
    /// not connections (<see cref="Unknown"/>, internal ones) stay open.
    /// </summary>
    public bool IsOpen => Volatile.Read(ref _closed) == 0;

    /// <summary>Marks the connection closed; see <see cref="IsOpen"/>.</summary>
    public void MarkClosed() => Volatile.Write(ref _closed, 1);

    /// <summary>Binds the connection to <paramref name="robotId"/> unless it is bound already; true when this call bound it.</summary>
    public bool TryBindRobot(string robotId) => Interlocked.CompareExchange(ref _robotId, robotId, null) is null;

    /// <summary>Counts what a read handed on; called by the framer once per read, not per line.</summary>
    public void CountRead(long bytes, long lines)
    {
        if (bytes != 0)
        {
            Interlocked.Add(ref _bytes, bytes);
        }

        if (lines != 0)
        {
            Interlocked.Add(ref _lines, lines);
        }
    }
}
