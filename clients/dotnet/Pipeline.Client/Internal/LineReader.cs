namespace Pipeline.Client.Internal;

/// <summary>Splits what the server sends into lines; the server's messages are small (acks, heartbeats, commands).</summary>
internal sealed class LineReader
{
    private const int MaxLineBytes = 1024 * 1024;
    private byte[] _buffer = new byte[4096];
    private int _start;
    private int _end;

    /// <summary>A complete line from what was read so far, without its <c>\n</c> (and <c>\r</c>).</summary>
    public bool TryReadLine(out ReadOnlyMemory<byte> line)
    {
        var newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
        if (newline < 0)
        {
            line = default;
            return false;
        }

        var length = newline > 0 && _buffer[_start + newline - 1] == '\r' ? newline - 1 : newline;
        line = _buffer.AsMemory(_start, length);
        _start += newline + 1;
        return true;
    }

    /// <summary>Room to read more into, after moving the unread bytes to the front.</summary>
    public Memory<byte> GetMemory()
    {
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            if (_buffer.Length >= MaxLineBytes)
            {
                throw new InvalidDataException($"the server sent a line longer than {MaxLineBytes} bytes");
            }

            Array.Resize(ref _buffer, _buffer.Length * 2);
        }

        return _buffer.AsMemory(_end);
    }

    public void Advance(int count) => _end += count;

    /// <summary>Ends a line that the end of a WebSocket message ended without a <c>\n</c>.</summary>
    public void EndLine()
    {
        if (_end > _start && _buffer[_end - 1] != '\n')
        {
            GetMemory().Span[0] = (byte)'\n';
            _end++;
        }
    }
}
