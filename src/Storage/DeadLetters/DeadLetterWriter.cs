using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Pipeline.Blocks.DeadLetters;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Metrics;
using Pipeline.Storage.Rolling;

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
    private readonly RollingFileWriter _files;

    public DeadLetterWriter(string directory, DeadLetterOptions options, PipelineMetrics metrics, TimeProvider time, ILogger logger)
    {
        _directory = directory;
        _options = options;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _files = new RollingFileWriter(directory, new RollingFileOptions
        {
            Prefix = "deadletter",
            Extension = ".ndjson",
            MaxFileBytes = options.MaxFileBytes,
            RetainFiles = options.RetainFiles,
        }, time);
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
                _files.Write(line.GetBuffer().AsSpan(0, (int)line.Length));
                Written++;
                _metrics.DeadLetters.WithLabels(record.Reason).Inc();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _metrics.DeadLettersDropped.Inc();
                DeadLetterLog.WriteFailed(_logger, ex, _directory);
                _files.Close();
            }
        }

        _files.Close();
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
