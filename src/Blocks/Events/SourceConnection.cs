using System.Text.Encodings.Web;
using System.Text.Json;

namespace Pipeline.Blocks.Events;

/// <summary>
/// Where a batch came from. One instance per connection, shared by all of its batches, so the
/// per-connection enrichment fields cost nothing per event.
/// </summary>
public sealed class SourceConnection
{
    public SourceConnection(string protocol, long id, string remote, string node)
    {
        Protocol = protocol;
        Id = id;
        Remote = remote;
        Node = node;
        // "protocol":"tcp","conn_id":7,"remote":"…","node":"…" — written as one copy per event.
        var encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        JsonFields = System.Text.Encoding.UTF8.GetBytes(
            $"\"protocol\":\"{JsonEncodedText.Encode(protocol, encoder)}\",\"conn_id\":{id}," +
            $"\"remote\":\"{JsonEncodedText.Encode(remote, encoder)}\",\"node\":\"{JsonEncodedText.Encode(node, encoder)}\"");
    }

    /// <summary>Placeholder for batches that were not made by a connection (tests, replays).</summary>
    public static SourceConnection Unknown { get; } = new("none", 0, "", "");

    public string Protocol { get; }
    public long Id { get; }
    public string Remote { get; }
    public string Node { get; }

    /// <summary>The connection's fields as a JSON fragment, without braces.</summary>
    public byte[] JsonFields { get; }
}
