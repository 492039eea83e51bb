using System.Text.Json;
using Microsoft.Extensions.Logging;
using Pipeline.Client.Internal;

namespace Pipeline.Client.Logging;

/// <summary>
/// Scopes as attributes: a scope of key/values (<c>BeginScope("{Order}", id)</c>, a dictionary) gives its pairs,
/// any other scope goes, as text, into <c>scopes</c> (outermost first). One per thread, reused.
/// </summary>
internal sealed class ScopeWriter
{
    [ThreadStatic]
    private static ScopeWriter? t_current;

    private Utf8JsonWriter? _writer;
    private int _others;

    public static void Write(Utf8JsonWriter writer, IExternalScopeProvider scopes)
    {
        var self = t_current ?? new ScopeWriter();
        t_current = null;
        self._writer = writer;
        self._others = 0;
        try
        {
            scopes.ForEachScope(static (scope, s) => s.WritePairs(scope), self);
            if (self._others > 0)
            {
                writer.WriteStartArray("scopes"u8);
                scopes.ForEachScope(static (scope, s) => s.WriteOther(scope), self);
                writer.WriteEndArray();
            }
        }
        finally
        {
            self._writer = null;
            t_current = self;
        }
    }

    private void WritePairs(object? scope)
    {
        if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
        {
            foreach (var (key, value) in pairs)
            {
                if (key != "{OriginalFormat}")
                {
                    JsonValues.WriteAttribute(_writer!, key, value);
                }
            }
        }
        else if (scope is not null)
        {
            _others++;
        }
    }

    private void WriteOther(object? scope)
    {
        if (scope is not null and not IEnumerable<KeyValuePair<string, object?>>)
        {
            _writer!.WriteStringValue(scope.ToString());
        }
    }
}
