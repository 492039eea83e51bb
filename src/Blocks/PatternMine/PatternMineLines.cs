using System.Buffers;
using System.IO.Pipelines;

namespace Pipeline.Blocks.PatternMine;

/// <summary>
/// The core of <c>pipeline patterns mine</c>: one message per line in, <c>&lt;template id&gt;\t&lt;template&gt;</c>
/// per message out (the id as 16 hex digits). Streaming prints the template a message got when it
/// arrived; final prints, after all input, the template each message ended in (batch evaluation).
/// </summary>
public static class PatternMineLines
{
    private const int OutputBufferSize = 64 * 1024;

    /// <summary>Mines every line of <paramref name="input"/>; returns the number of messages.</summary>
    public static async Task<long> MineAsync(Stream input, Stream output, bool final, PatternMineOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        options ??= new PatternMineOptions();
        var miner = new TemplateMiner(options);
        var reader = PipeReader.Create(input, new StreamPipeReaderOptions(bufferSize: 64 * 1024, leaveOpen: true));
        var sink = new LineSink(miner, output, final, options.MaxMessageBytes);
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                var buffer = result.Buffer;
                sink.Consume(ref buffer, result.IsCompleted);
                reader.AdvanceTo(buffer.Start, buffer.End);
                await sink.FlushAsync(cancellationToken).ConfigureAwait(false);
                if (result.IsCompleted)
                {
                    break;
                }
            }

            await sink.CompleteAsync(cancellationToken).ConfigureAwait(false);
            return sink.Messages;
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
            sink.Dispose();
        }
    }

    /// <summary>Splits lines, mines them and formats the output into a pooled buffer.</summary>
    private sealed class LineSink : IDisposable
    {
        private readonly TemplateMiner _miner;
        private readonly Stream _output;
        private readonly List<PatternTemplate>? _final;
        private readonly int _maxMessageBytes;
        private byte[] _out = ArrayPool<byte>.Shared.Rent(OutputBufferSize);
        private byte[] _line = ArrayPool<byte>.Shared.Rent(4096);
        private int _outLength;

        // Inside a line longer than the miner looks at: the message was mined, skip to the newline.
        private bool _skipping;

        public LineSink(TemplateMiner miner, Stream output, bool final, int maxMessageBytes)
        {
            _miner = miner;
            _output = output;
            _final = final ? [] : null;
            _maxMessageBytes = maxMessageBytes;
        }

        public long Messages { get; private set; }

        public void Consume(ref ReadOnlySequence<byte> buffer, bool completed)
        {
            while (true)
            {
                var newline = buffer.PositionOf((byte)'\n');
                if (newline is null)
                {
                    break;
                }

                var line = buffer.Slice(0, newline.Value);
                buffer = buffer.Slice(buffer.GetPosition(1, newline.Value));
                if (_skipping)
                {
                    _skipping = false;
                    continue;
                }

                Mine(line);
            }

            if (_skipping)
            {
                buffer = buffer.Slice(buffer.End);
            }
            else if (!buffer.IsEmpty && (completed || buffer.Length > _maxMessageBytes))
            {
                // The last line without a newline, or a line too long to wait for: the miner only looks at
                // its first MaxMessageBytes (+1, so that it knows there was more).
                Mine(buffer.Slice(0, Math.Min(buffer.Length, _maxMessageBytes + 1L)));
                _skipping = !completed;
                buffer = buffer.Slice(buffer.End);
            }
        }

        private void Mine(ReadOnlySequence<byte> line)
        {
            ReadOnlySpan<byte> span;
            if (line.IsSingleSegment)
            {
                span = line.FirstSpan;
            }
            else
            {
                if (_line.Length < line.Length)
                {
                    ArrayPool<byte>.Shared.Return(_line);
                    _line = ArrayPool<byte>.Shared.Rent((int)line.Length);
                }

                line.CopyTo(_line);
                span = _line.AsSpan(0, (int)line.Length);
            }

            if (!span.IsEmpty && span[^1] == '\r')
            {
                span = span[..^1];
            }

            var template = _miner.Add(span).Template;
            Messages++;
            if (_final is not null)
            {
                _final.Add(template);
            }
            else
            {
                Write(template);
            }
        }

        private void Write(PatternTemplate template)
        {
            var text = template.Utf8.Span;
            var needed = 16 + 1 + text.Length + 1;
            if (_outLength + needed > _out.Length)
            {
                FlushSync();
                if (needed > _out.Length)
                {
                    ArrayPool<byte>.Shared.Return(_out);
                    _out = ArrayPool<byte>.Shared.Rent(needed);
                }
            }

            var span = _out.AsSpan(_outLength);
            template.Id.TryFormat(span, out var written, "x16");
            span[written++] = (byte)'\t';
            text.CopyTo(span[written..]);
            written += text.Length;
            span[written++] = (byte)'\n';
            _outLength += written;
        }

        private void FlushSync()
        {
            _output.Write(_out, 0, _outLength);
            _outLength = 0;
        }

        public async ValueTask FlushAsync(CancellationToken cancellationToken)
        {
            if (_outLength > 0)
            {
                await _output.WriteAsync(_out.AsMemory(0, _outLength), cancellationToken).ConfigureAwait(false);
                _outLength = 0;
            }

            await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        public async ValueTask CompleteAsync(CancellationToken cancellationToken)
        {
            if (_final is not null)
            {
                foreach (var template in _final)
                {
                    Write(template.Current);
                }
            }

            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        public void Dispose()
        {
            ArrayPool<byte>.Shared.Return(_out);
            ArrayPool<byte>.Shared.Return(_line);
        }
    }
}
