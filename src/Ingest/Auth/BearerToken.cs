namespace Pipeline.Ingest.Auth;

/// <summary>The token of an <c>Authorization: Bearer &lt;token&gt;</c> header (the ops API and the robots' WebSocket).</summary>
internal static class BearerToken
{
    private const string Scheme = "Bearer";

    /// <summary>The token, or null when the header is absent, of another scheme, or empty.</summary>
    public static string? Parse(string? header)
    {
        if (header is null || header.Length <= Scheme.Length || !header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) ||
            header[Scheme.Length] != ' ')
        {
            return null;
        }

        var token = header.AsSpan(Scheme.Length).Trim();
        return token.Length == 0 ? null : token.ToString();
    }
}
