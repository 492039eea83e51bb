using System.Security.Cryptography;
using System.Text;

namespace Pipeline.Ingest.Tests.Infrastructure;

/// <summary>Writes tokens files the way deploy tools do: aside, then renamed over, each with a newer timestamp.</summary>
internal sealed class TokensFile(string path)
{
    private DateTime _writeTime = new(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public string Path { get; } = path;

    /// <summary>The hex SHA-256 of <paramref name="token"/>, computed here, not by the code under test.</summary>
    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>A tokens file of name → token (hashed here).</summary>
    public static string Json(params (string Name, string Token)[] entries) =>
        "{" + string.Join(",", entries.Select(e => $"\"{e.Name}\":\"{Hash(e.Token)}\"")) + "}";

    /// <summary>Replaces the file whole with <paramref name="content"/>, with a last-write time it never had before.</summary>
    public void Write(string content)
    {
        var aside = Path + ".tmp";
        File.WriteAllText(aside, content);
        _writeTime = _writeTime.AddMinutes(1);
        File.SetLastWriteTimeUtc(aside, _writeTime);
        File.Move(aside, Path, overwrite: true);
    }
}
