using System.Text.Json;
using Pipeline.Tests.Shared;

namespace Pipeline.Ingest.Tests.Infrastructure;

/// <summary>One dead-letter record, as <c>DeadLetterWriter</c> writes it.</summary>
public sealed record DeadLetter(string Component, string Reason, string Protocol, long Length, byte[] FirstBytes)
{
    /// <summary>Every dead-letter record of the pipeline (read after <see cref="TestPipeline.StopAsync"/>).</summary>
    public static List<DeadLetter> ReadAll(TestPipeline pipeline)
    {
        var records = new List<DeadLetter>();
        foreach (var line in pipeline.ReadDeadLetters())
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            records.Add(new DeadLetter(
                root.GetProperty("component").GetString()!,
                root.GetProperty("reason").GetString()!,
                root.GetProperty("protocol").GetString()!,
                root.GetProperty("length").GetInt64(),
                root.GetProperty("first_bytes_base64").GetBytesFromBase64()));
        }

        return records;
    }
}
