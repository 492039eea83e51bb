namespace Pipeline.Ingest.Tests.Infrastructure;

/// <summary>What a <see cref="CommandedRobot"/> says to a command: the fields of its <c>command_response</c>.</summary>
/// <param name="Result">Serialized as the response's <c>result</c> (an anonymous object, a JsonElement, null).</param>
public sealed record RobotAnswer(bool Success, object? Result, string? Error = null)
{
    /// <summary><c>{"success":true,"result":…}</c>.</summary>
    public static RobotAnswer Ok(object? result) => new(true, result);

    /// <summary><c>{"success":false,"error":…}</c>.</summary>
    public static RobotAnswer Failed(string error) => new(false, null, error);
}
