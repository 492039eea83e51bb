using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Pipeline.Client.Internal;

namespace Pipeline.Client.Logging;

/// <summary>
/// One log entry's fields: <c>msg</c>, <c>type</c>, <c>category</c>, the event id, <c>trace_id</c>/<c>span_id</c> of
/// <see cref="Activity.Current"/>, the state's and the scopes' key/values as attributes, and the exception.
/// </summary>
internal readonly struct LogEntryFields<TState>(string category, EventId eventId, TState state, Exception? exception,
    Func<TState, Exception?, string> formatter, PipelineLoggerProvider provider)
{
    public static readonly EventFieldsWriter<LogEntryFields<TState>> Writer = Write;

    private const string OriginalFormat = "{OriginalFormat}";
    private const int MaxInnerExceptions = 8;

    private static void Write(Utf8JsonWriter writer, in LogEntryFields<TState> entry)
    {
        var options = entry.Provider.Options;
        writer.WriteString("msg"u8, entry.Formatter(entry.State, entry.Exception));
        writer.WriteString("type"u8, options.EventType);
        writer.WriteString("category"u8, entry.Category);
        if (entry.EventId.Id != 0)
        {
            writer.WriteNumber("event_id"u8, entry.EventId.Id);
        }

        if (entry.EventId.Name is { } name)
        {
            writer.WriteString("event_name"u8, name);
        }

        if (Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity)
        {
            Span<byte> raw = stackalloc byte[16];
            Span<char> hex = stackalloc char[32];
            activity.TraceId.CopyTo(raw);
            Convert.TryToHexStringLower(raw, hex, out _);
            writer.WriteString("trace_id"u8, hex);
            activity.SpanId.CopyTo(raw[..8]);
            Convert.TryToHexStringLower(raw[..8], hex, out _);
            writer.WriteString("span_id"u8, hex[..16]);
        }

        if (entry.State is IReadOnlyList<KeyValuePair<string, object?>> pairs)
        {
            for (var i = 0; i < pairs.Count; i++)
            {
                var (key, value) = pairs[i];
                if (key == OriginalFormat)
                {
                    if (options.IncludeMessageTemplate && value is string template)
                    {
                        writer.WriteString("message_template"u8, template);
                    }
                }
                else
                {
                    JsonValues.WriteAttribute(writer, key, value);
                }
            }
        }

        ScopeWriter.Write(writer, entry.Provider.ScopeProvider);
        if (entry.Exception is { } exception)
        {
            writer.WritePropertyName("exception"u8);
            WriteException(writer, exception, 0);
        }
    }

    private static void WriteException(Utf8JsonWriter writer, Exception exception, int depth)
    {
        writer.WriteStartObject();
        writer.WriteString("type"u8, exception.GetType().FullName);
        writer.WriteString("message"u8, exception.Message);
        if (exception.StackTrace is { } stack)
        {
            writer.WriteString("stack_trace"u8, stack);
        }

        if (exception.InnerException is { } inner && depth < MaxInnerExceptions)
        {
            writer.WritePropertyName("inner"u8);
            WriteException(writer, inner, depth + 1);
        }

        writer.WriteEndObject();
    }

    private string Category { get; } = category;

    private EventId EventId { get; } = eventId;

    private TState State { get; } = state;

    private Exception? Exception { get; } = exception;

    private Func<TState, Exception?, string> Formatter { get; } = formatter;

    private PipelineLoggerProvider Provider { get; } = provider;
}
