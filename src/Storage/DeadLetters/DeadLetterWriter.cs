using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Pipeline.Blocks.DeadLetters;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Metrics;

namespace Pipeline.Storage.DeadLetters;

/// <summary>
/// Writes rejected input to <c>deadletter-&lt;UTC time&gt;.ndjson</c>: one JSON object per record with the
/// time, component, reason, connection, total length and the first bytes (as text and base64).
/// Callers never wait: records go through a bounded queue to one writer task, and what does not
/// fit is counted in <c>pipeline_deadletter_dropped_total</c> (the discard itself is always counted).
/// </summary>
public sealed class DeadLetterWriter : IDeadLetterSink, IAsyncDisposable
{
    private readonly string _directory;
    private readonly DeadLetterOptions _options;
    private readonly PipelineMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<DeadLetterRecord> _queue;
    private readonly Task _writer;
    private FileStream? _file;
    private int _sequence;

    public DeadLetterWriter(string directory, DeadLetterOptions options, PipelineMetrics metrics, TimeProvider time, ILogger logger)
    {
        _directory = directory;
        _options = options;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        // DropWrite makes TryWrite return true even when it drops: count drops in the callback.
        _queue = Channel.CreateBounded<DeadLetterRecord>(
            new BoundedChannelOptions(options.QueueCapacity)
            {
                FullMode = BoundedChannelFullMode.DropWrite,
                SingleReader = true,
            },
            _ => _metrics.DeadLettersDropped.Inc());
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>Records written so far.</summary>
    public long Written { get; private set; }

    public void Write(string component, string reason, SourceConnection source, ReadOnlySpan<byte> input)
    {
        var keep = input[..Math.Min(input.Length, _options.MaxBytesPerRecord)].ToArray();
        var record = new DeadLetterRecord(_time.GetUtcNow(), component, reason, source.Protocol, source.Id, source.Remote, input.Length, keep);
        if (!_queue.Writer.TryWrite(record))
        {
            _metrics.DeadLettersDropped.Inc(); // completed: the service is stopping
        }
    }

    /// <summary>Writes what is queued and closes the file.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
    }

    private async Task WriteLoopAsync()
    {
        var line = new MemoryStream();
        await foreach (var record in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                line.SetLength(0);
                Format(record, line);
                var file = Current();
                file.Write(line.GetBuffer(), 0, (int)line.Length);
                if (_queue.Reader.Count == 0)
                {
                    file.Flush();
                }

                Written++;
                _metrics.DeadLetters.WithLabels(record.Reason).Inc();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _metrics.DeadLettersDropped.Inc();
                DeadLetterLog.WriteFailed(_logger, ex, _directory);
                _file?.Dispose();
                _file = null;
            }
        }

        _file?.Dispose();
        _file = null;
    }

    private FileStream Current()
    {
        if (_file is not null && _file.Length < _options.MaxFileBytes)
        {
            return _file;
        }

        _file?.Dispose();
        _file = null;
        Directory.CreateDirectory(_directory);
        var stamp = _time.GetUtcNow().UtcDateTime.ToString("yyyyMMdd'T'HHmmss.fff'Z'", CultureInfo.InvariantCulture);
        while (_file is null)
        {
            var path = Path.Combine(_directory, $"deadletter-{stamp}-{_sequence++:D4}.ndjson");
            try
            {
                _file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 64 * 1024);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Same millisecond as an existing file: take the next sequence number.
            }
        }

        var old = Directory.GetFiles(_directory, "deadletter-*.ndjson");
        Array.Sort(old, StringComparer.Ordinal);
        var excess = old.Length - _options.RetainFiles;
        foreach (var path in old)
        {
            if (excess <= 0)
            {
                break;
            }

            if (path != _file.Name)
            {
                File.Delete(path);
                excess--;
            }
        }

        return _file;
    }

    private static void Format(DeadLetterRecord record, Stream output)
    {
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteString("ts", record.Time.UtcDateTime);
        json.WriteString("component", record.Component);
        json.WriteString("reason", record.Reason);
        json.WriteString("protocol", record.Protocol);
        json.WriteNumber("conn_id", record.ConnectionId);
        json.WriteString("remote", record.Remote);
        json.WriteNumber("length", record.Length);
        json.WriteString("first_bytes", Encoding.UTF8.GetString(record.FirstBytes));
        json.WriteBase64String("first_bytes_base64", record.FirstBytes);
        json.WriteEndObject();
        json.Flush();
        output.WriteByte((byte)'\n');
    }
}
