namespace Pipeline.Blocks.Alerts.Internal;

/// <summary>Which part of an event a path names: a top-level field, or a path into its attributes.</summary>
internal enum EventField
{
    RobotId,
    Type,
    Msg,
    Level,
    Site,
    TemplateId,
    TraceId,
    Hash,
    Attribute,
}
