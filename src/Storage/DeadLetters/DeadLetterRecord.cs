namespace Pipeline.Storage.DeadLetters;

/// <summary>A rejected input waiting to be written: a copy of its first bytes, taken when it was rejected.</summary>
internal sealed record DeadLetterRecord(
    DateTimeOffset Time, string Component, string Reason, string Protocol, long ConnectionId, string Remote, int Length, byte[] FirstBytes);
