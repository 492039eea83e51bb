using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Text;
using Microsoft.Extensions.Primitives;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Parse;

namespace Pipeline.Ingest.Tail;

/// <summary>
/// One subscriber's filters, parsed once from its query string: <c>robot</c>, <c>site</c>, <c>type</c> (exact),
/// <c>level</c> (minimum), <c>template_id</c>, <c>grep</c> (a substring of <c>msg</c>; a regular expression when written
/// <c>/re/</c> or with <c>regex=true</c>) and <c>sample</c> (1 in N of the events that match the rest). Matching compares
/// spans of the batch: it allocates nothing per event.
/// </summary>
internal sealed class TailFilter
{
    /// <summary>The query parameters a tail takes; any other is refused, so a misspelt filter does not silently show everything.</summary>
    public static readonly string[] Parameters = ["robot", "site", "level", "type", "template_id", "grep", "regex", "sample"];

    private static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    private byte[]? _robot;
    private int _robotHash;
    private byte[]? _site;
    private byte[]? _type;
    private byte[]? _grep;
    private Regex? _regex;
    private byte[]? _regexLiteral;
    private EventLevel _minLevel;
    private ulong _templateId;
    private int _sample = 1;
    private long _seen;

    private TailFilter()
    {
    }

    /// <summary>One in how many matching events is sent (1: every one).</summary>
    public int Sample => _sample;

    /// <summary>
    /// Parses the query; on a bad or unknown parameter returns false with <paramref name="parameter"/> naming it and
    /// <paramref name="error"/> saying what is wrong.
    /// </summary>
    public static bool TryParse(IEnumerable<KeyValuePair<string, StringValues>> query, out TailFilter filter, out string parameter, out string error)
    {
        filter = new TailFilter();
        parameter = "";
        error = "";
        string? grep = null;
        var regex = false;
        foreach (var (key, values) in query)
        {
            parameter = key;
            if (Array.IndexOf(Parameters, key) < 0)
            {
                error = $"unknown parameter '{key}'; the tail takes {string.Join(", ", Parameters)}.";
                return false;
            }

            if (values.Count != 1 || string.IsNullOrEmpty(values[0]))
            {
                error = $"'{key}' must be given once, with a value.";
                return false;
            }

            var value = values[0]!;
            switch (key)
            {
                case "robot":
                    filter._robot = Json(value);
                    filter._robotHash = Hash(filter._robot);
                    break;
                case "site":
                    filter._site = Json(value);
                    break;
                case "type":
                    filter._type = Json(value);
                    break;
                case "level":
                    if (!LevelParser.TryParseName(Encoding.UTF8.GetBytes(value), out filter._minLevel))
                    {
                        error = $"'level' must be debug, info, warning, error or critical (got '{value}').";
                        return false;
                    }

                    break;
                case "template_id":
                    if (!ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out filter._templateId) || filter._templateId == 0)
                    {
                        error = $"'template_id' must be a template's id, a positive decimal integer as in template_id_str (got '{value}').";
                        return false;
                    }

                    break;
                case "sample":
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out filter._sample) || filter._sample < 1)
                    {
                        error = $"'sample' must be a whole number N ≥ 1: one in N matching events is sent (got '{value}').";
                        return false;
                    }

                    break;
                case "regex":
                    if (!bool.TryParse(value, out regex))
                    {
                        error = $"'regex' must be true or false (got '{value}').";
                        return false;
                    }

                    break;
                default:
                    grep = value;
                    break;
            }
        }

        if (grep is not null)
        {
            var slashes = grep.Length >= 2 && grep[0] == '/' && grep[^1] == '/';
            if (regex || slashes)
            {
                parameter = "grep";
                var pattern = slashes ? grep[1..^1] : grep;
                if (!TryRegex(pattern, out filter._regex, out error))
                {
                    return false;
                }

                filter._regexLiteral = RegexLiteral.Required(pattern);
            }
            else
            {
                filter._grep = Json(grep);
            }
        }
        else if (regex)
        {
            parameter = "regex";
            error = "'regex' applies to 'grep', which is missing.";
            return false;
        }

        parameter = "";
        return true;
    }

    /// <summary>Whether the filter names a robot (then <see cref="Matches"/> wants the event's robot_id <see cref="Hash"/>).</summary>
    public bool HasRobot => _robot is not null;

    /// <summary>The <see cref="Hash"/> of the robot the filter names (0 when it names none): the tail's index of viewers by robot.</summary>
    public int RobotHash => _robot is null ? 0 : _robotHash;

    /// <summary>
    /// The hash <see cref="Matches"/> compares first: one per event for all viewers of a robot, instead of each comparing
    /// the bytes (most events are not the viewer's robot, and an int says so).
    /// </summary>
    public static int Hash(ReadOnlySpan<byte> robotId)
    {
        var hash = new HashCode();
        hash.AddBytes(robotId);
        return hash.ToHashCode();
    }

    /// <summary>
    /// Whether <paramref name="e"/> passes every filter but <c>sample</c>. <paramref name="robotHash"/>: <see cref="Hash"/> of
    /// its robot_id when <see cref="HasRobot"/>. <paramref name="chars"/>: the caller's scratch for a regex (msg decoded to
    /// UTF-16), grown as needed; the caller owns it, so two threads never share one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // see TailHub.Process
    public bool Matches(EventBatch batch, ref readonly EventRecord e, int robotHash, ref char[] chars)
    {
        if (e.Level < _minLevel)
        {
            return false;
        }

        if (_templateId != 0 && e.TemplateId != _templateId)
        {
            return false;
        }

        if (_robot is not null && (robotHash != _robotHash || !batch[e.RobotId].SequenceEqual(_robot)))
        {
            return false;
        }

        if (_type is not null && !batch[e.Type].SequenceEqual(_type))
        {
            return false;
        }

        if (_site is not null && (e.Robot is not { } robot || !robot.SiteJson.AsSpan().SequenceEqual(_site)))
        {
            return false;
        }

        if (_grep is not null && batch[e.Msg].IndexOf(_grep) < 0)
        {
            return false;
        }

        if (_regex is not null)
        {
            var msg = batch[e.Msg];
            if (_regexLiteral is not null && msg.IndexOf(_regexLiteral) < 0)
            {
                return false; // the text every match contains is not there: no need to decode and run the regex
            }

            if (chars.Length < msg.Length)
            {
                chars = new char[Math.Max(msg.Length, chars.Length * 2)];
            }

            var length = Encoding.UTF8.GetChars(msg, chars);
            return _regex.IsMatch(chars.AsSpan(0, length));
        }

        return true;
    }

    /// <summary>For a matching event: whether it is the one in <see cref="Sample"/> that is sent.</summary>
    public bool Sampled() => _sample == 1 || Interlocked.Increment(ref _seen) % _sample == 1 % _sample;

    /// <summary>Values compare with the batch's bytes as the parser keeps them: JSON-escaped UTF-8, without quotes.</summary>
    private static byte[] Json(string value) => JsonEncodedText.Encode(value, Encoder).EncodedUtf8Bytes.ToArray();

    private static bool TryRegex(string pattern, out Regex? regex, out string error)
    {
        error = "";
        try
        {
            // Non-backtracking: linear in the message, whatever pattern a viewer sends (no catastrophic backtracking on the pipeline's thread).
            regex = new Regex(pattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);
            return true;
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
        {
            regex = null;
            error = $"'grep' is not a regular expression the tail can run ({ex.Message}); lookarounds and backreferences are not supported.";
            return false;
        }
    }
}
