using System.Buffers;
using System.Buffers.Text;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Parse;

namespace Pipeline.Blocks.Output;

/// <summary>
/// Writes an event as one line of normalised NDJSON, the format of the rolling files:
/// <code>{"ts":"…","received_at":"…","level":"INFO","robot_id":"…","type":"…","msg":"…",
/// "template_id":…,"template_id_str":"…","template":"…","robot_name":"…","site":"…","model":"…","protocol":"tcp","conn_id":7,
/// "remote":"…","node":"…","attrs":{…}}</code>
/// Empty optional fields are left out. String values are copied as the robot escaped them, so this
/// is a sequence of copies. Not thread-safe: one per encoder.
/// </summary>
public sealed class EventJsonWriter
{
    private readonly TimestampFormatter _timestamps = new();

    /// <summary>Writes the event and its trailing <c>\n</c>.</summary>
    public void Write(EventBatch batch, ref readonly EventRecord e, IBufferWriter<byte> output)
    {
        var robot = e.Robot;
        var source = batch.Source.JsonFields;
        var template = e.Template;
        var max = 512 + (template is null ? 0 : template.JsonUtf8.Length) + e.RobotId.Length + e.Type.Length + e.Msg.Length + e.TraceId.Length + e.SpanId.Length +
                  e.Hash.Length + e.Attributes.Length + source.Length +
                  (robot is null ? 0 : robot.NameJson.Length + robot.SiteJson.Length + robot.ModelJson.Length);
        var span = output.GetSpan(max);
        var n = 0;

        SpanText.Raw(span, ref n, "{\"ts\":\""u8);
        _timestamps.Format(e.Timestamp, span[n..]);
        n += TimestampFormatter.Length;
        SpanText.Raw(span, ref n, "\",\"received_at\":\""u8);
        _timestamps.Format(batch.ReceivedAt, span[n..]);
        n += TimestampFormatter.Length;
        SpanText.Raw(span, ref n, "\",\"level\":\""u8);
        SpanText.Raw(span, ref n, LevelParser.Name(e.Level));
        span[n++] = (byte)'"';
        if (e.LevelCode >= 0)
        {
            SpanText.Raw(span, ref n, ",\"level_code\":"u8);
            Utf8Formatter.TryFormat(e.LevelCode, span[n..], out var w);
            n += w;
        }

        SpanText.Field(span, ref n, ",\"robot_id\":\""u8, batch[e.RobotId]);
        SpanText.Field(span, ref n, ",\"type\":\""u8, batch[e.Type]);
        SpanText.Field(span, ref n, ",\"msg\":\""u8, batch[e.Msg]);
        SpanText.Field(span, ref n, ",\"trace_id\":\""u8, batch[e.TraceId]);
        SpanText.Field(span, ref n, ",\"span_id\":\""u8, batch[e.SpanId]);
        SpanText.Field(span, ref n, ",\"hash\":\""u8, batch[e.Hash]);
        if (e.TemplateId != 0)
        {
            JsonIds.Raw(span, ref n, ",\"template_id\":"u8, ",\"template_id_str\":\""u8, e.TemplateId);
            if (template is not null)
            {
                SpanText.Field(span, ref n, ",\"template\":\""u8, template.JsonUtf8.Span);
            }
        }

        if (robot is not null)
        {
            SpanText.Field(span, ref n, ",\"robot_name\":\""u8, robot.NameJson);
            SpanText.Field(span, ref n, ",\"site\":\""u8, robot.SiteJson);
            SpanText.Field(span, ref n, ",\"model\":\""u8, robot.ModelJson);
        }

        span[n++] = (byte)',';
        SpanText.Raw(span, ref n, source);
        if (!e.Attributes.IsEmpty)
        {
            SpanText.Raw(span, ref n, ",\"attrs\":"u8);
            SpanText.Raw(span, ref n, batch[e.Attributes]);
        }

        span[n++] = (byte)'}';
        span[n++] = (byte)'\n';
        output.Advance(n);
    }
}
