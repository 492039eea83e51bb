using System.Buffers.Text;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using Pipeline.Blocks.Events;

namespace Pipeline.Blocks.Alerts.Internal;

/// <summary>
/// <c>PATH OP VALUE</c> (<c>data.battery &lt; 15</c>, <c>data.mode == "manual"</c>), compiled once: the literal
/// as a double or as JSON-escaped UTF-8, evaluated against an event without allocating.
/// </summary>
internal sealed partial class AttributeCondition
{
    private readonly byte[] _text = [];

    private AttributeCondition(EventPath path, ConditionOperator op, double number, string? text)
    {
        Path = path;
        Operator = op;
        Number = number;
        IsNumber = text is null;
        if (text is not null)
        {
            _text = JsonEncodedText.Encode(text, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).EncodedUtf8Bytes.ToArray();
        }
    }

    public EventPath Path { get; }

    /// <summary>The condition as written (trimmed): conditions of equal text are one.</summary>
    public string Text { get; private init; } = "";

    public ConditionOperator Operator { get; }

    public double Number { get; }

    public bool IsNumber { get; }

    /// <summary>A numeric comparison with an order (hysteresis applies).</summary>
    public bool IsNumericOrdering => IsNumber && Operator is not (ConditionOperator.Equal or ConditionOperator.NotEqual);

    /// <summary>The alert is "over" when the value is low (<c>&lt;</c>, <c>&lt;=</c>): it resolves when the value rises.</summary>
    public bool FiresBelow => Operator is ConditionOperator.Less or ConditionOperator.LessOrEqual;

    public static bool TryParse(string text, out AttributeCondition condition, out string problem)
    {
        condition = null!;
        var match = Syntax().Match(text);
        if (!match.Success)
        {
            problem = $"'{text}' is not a condition: PATH OP VALUE with OP one of < <= > >= == != (e.g. data.battery < 15, data.mode == \"manual\").";
            return false;
        }

        if (!EventPath.TryParse(match.Groups[1].Value, out var path, out problem))
        {
            return false;
        }

        var op = match.Groups[2].Value switch
        {
            "<" => ConditionOperator.Less,
            "<=" => ConditionOperator.LessOrEqual,
            ">" => ConditionOperator.Greater,
            ">=" => ConditionOperator.GreaterOrEqual,
            "==" => ConditionOperator.Equal,
            _ => ConditionOperator.NotEqual,
        };
        var literal = match.Groups[3].Value;
        if (literal.StartsWith('"'))
        {
            string? value;
            try
            {
                value = JsonSerializer.Deserialize<string>(literal);
            }
            catch (JsonException)
            {
                value = null;
            }

            if (value is null)
            {
                problem = $"'{literal}' in '{text}' is not a JSON string (write \"manual\", with double quotes).";
                return false;
            }

            condition = new AttributeCondition(path, op, 0, value) { Text = text.Trim() };
        }
        else if (double.TryParse(literal, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
        {
            condition = new AttributeCondition(path, op, number, null) { Text = text.Trim() };
        }
        else
        {
            problem = $"'{literal}' in '{text}' is neither a number nor a JSON string (strings are quoted: \"manual\").";
            return false;
        }

        problem = "";
        return true;
    }

    /// <summary>Whether <paramref name="e"/> has the value and it meets the condition; <paramref name="value"/> is the number (NaN for strings).</summary>
    public bool Evaluate(EventBatch batch, ref readonly EventRecord e, out bool present, out double value)
    {
        if (IsNumber)
        {
            present = TryRead(batch, in e, out value);
            return present && Meets(value);
        }

        Span<byte> scratch = stackalloc byte[EventPath.ScratchBytes];
        value = double.NaN;
        present = Path.TryGet(batch, in e, scratch, out var raw, out var isNumber);
        if (!present)
        {
            return false;
        }

        // A string condition on a number: only != holds.
        return isNumber ? Operator == ConditionOperator.NotEqual : Compare(raw.SequenceCompareTo(_text));
    }

    /// <summary>Reads the path's value as a number (numbers sent as strings count); false when the event has none.</summary>
    public bool TryRead(EventBatch batch, ref readonly EventRecord e, out double value)
    {
        Span<byte> scratch = stackalloc byte[EventPath.ScratchBytes];
        value = double.NaN;
        // A number sent as a string ("battery":"12") counts as the number.
        return Path.TryGet(batch, in e, scratch, out var raw, out _) &&
            Utf8Parser.TryParse(raw, out value, out var consumed) && consumed == raw.Length;
    }

    /// <summary>Whether <paramref name="value"/> still holds a firing alert with hysteresis at <paramref name="resolveAt"/>.</summary>
    public bool Holds(double value, double resolveAt) => FiresBelow ? value < resolveAt : value >= resolveAt;

    /// <summary>The condition on a number already read (for evaluation at a tick).</summary>
    public bool Meets(double value) => Compare(value.CompareTo(Number));

    private bool Compare(int order) => Operator switch
    {
        ConditionOperator.Less => order < 0,
        ConditionOperator.LessOrEqual => order <= 0,
        ConditionOperator.Greater => order > 0,
        ConditionOperator.GreaterOrEqual => order >= 0,
        ConditionOperator.Equal => order == 0,
        _ => order != 0,
    };

    [GeneratedRegex(@"^\s*([^\s<>=!]+)\s*(<=|>=|==|!=|<|>)\s*(.+?)\s*$")]
    private static partial Regex Syntax();
}
