using System.Text.RegularExpressions;
using Pipeline.Blocks.Configuration;

namespace Pipeline.Blocks.Redact;

/// <summary>Options of the redact block (<c>Pipeline:Redact</c>).</summary>
public sealed class RedactOptions : IValidatedOptions
{
    /// <summary>Attribute keys whose values are replaced, at any depth, case-insensitive.</summary>
    public List<string> Keys { get; set; } =
    [
        "token", "password", "passwd", "secret", "authorization", "api_key", "apikey",
        "access_token", "refresh_token", "cookie", "session",
    ];

    /// <summary>Extra .NET regular expressions whose matches in <c>msg</c> and string attributes are replaced.</summary>
    public List<string> Patterns { get; set; } = [];

    /// <summary>Replace <c>Bearer …</c> credentials. Default true.</summary>
    public bool BearerTokens { get; set; } = true;

    /// <summary>Replace JSON Web Tokens (<c>eyJ….….…</c>). Default true.</summary>
    public bool Jwts { get; set; } = true;

    /// <summary>What a secret becomes. Default <c>***</c>.</summary>
    public string Replacement { get; set; } = "***";

    /// <inheritdoc />
    public void Validate(OptionsErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        for (var i = 0; i < Patterns.Count; i++)
        {
            try
            {
                _ = new Regex(Patterns[i]);
            }
            catch (ArgumentException ex)
            {
                errors.Add($"{nameof(Patterns)}:{i}", $"not a valid regular expression: {ex.Message}");
            }
        }

        errors.Check(Keys.TrueForAll(k => !string.IsNullOrWhiteSpace(k)), nameof(Keys), "must not contain empty keys.");
    }
}
