using System.Text.Json;

namespace Pipeline.Ingest.Tests.Infrastructure;

/// <summary>A command the server sent a robot: <c>{"type":"command","command_id":…,"command":…,"params":{…}}</c>.</summary>
public sealed record RobotCommand(string CommandId, string Command, JsonElement Params);
