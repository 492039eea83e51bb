using System.Text.Json;

namespace Pipeline.Ingest.Robots;

/// <summary>
/// A robot's latest <c>status_update</c> event, as its attributes' JSON: copied into a buffer reused from one update
/// to the next (fleets send many), and parsed only when the API reads it. One writer (the robots sink).
/// </summary>
internal sealed class StatusUpdateSlot
{
    private readonly Lock _gate = new();
    private byte[] _json = [];
    private int _length;
    private long _at;

    /// <summary>Keeps <paramref name="json"/> (an object) received at <paramref name="receivedAt"/> (Unix ms), unless an update already kept is newer.</summary>
    public void Set(ReadOnlySpan<byte> json, long receivedAt)
    {
        lock (_gate)
        {
            if (receivedAt < _at)
            {
                return;
            }

            if (_json.Length < json.Length)
            {
                _json = new byte[Math.Max(json.Length, _json.Length * 2)];
            }

            json.CopyTo(_json);
            _length = json.Length;
            _at = receivedAt;
        }
    }

    /// <summary>The latest update as an answer, or null when none came (or it is not JSON).</summary>
    public CachedAnswer? Read()
    {
        byte[] json;
        long at;
        lock (_gate)
        {
            if (_length == 0)
            {
                return null;
            }

            json = _json.AsSpan(0, _length).ToArray();
            at = _at;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            return new CachedAnswer(document.RootElement.Clone(), DateTimeOffset.FromUnixTimeMilliseconds(at), "status_update");
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
