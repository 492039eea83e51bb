using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace Pipeline.Ingest.Auth;

/// <summary>The SHA-256 of a token's UTF-8 bytes: what a tokens file holds (as hex) instead of the token.</summary>
internal static class TokenHash
{
    public const int Size = SHA256.HashSizeInBytes;

    /// <summary>Longest token hashed from the stack; longer ones use a pooled buffer.</summary>
    private const int StackBytes = 256;

    public static void Compute(string token, Span<byte> destination)
    {
        var length = Encoding.UTF8.GetByteCount(token);
        byte[]? rented = length > StackBytes ? ArrayPool<byte>.Shared.Rent(length) : null;
        var bytes = rented is null ? stackalloc byte[StackBytes] : rented;
        try
        {
            var written = Encoding.UTF8.GetBytes(token, bytes);
            SHA256.HashData(bytes[..written], destination);
        }
        finally
        {
            // The token is a secret: do not leave it in a pooled buffer.
            bytes.Clear();
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Lowercase hex, the form a tokens file holds.</summary>
    public static string Hex(string token)
    {
        Span<byte> hash = stackalloc byte[Size];
        Compute(token, hash);
        return Convert.ToHexStringLower(hash);
    }
}
