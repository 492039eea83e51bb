namespace Pipeline.Client;

/// <summary>The event levels of the wire protocol (DESIGN "Wire protocol": <c>DEBUG|INFO|WARNING|ERROR|CRITICAL</c>).</summary>
public enum PipelineLevel
{
    /// <summary><c>DEBUG</c>.</summary>
    Debug,

    /// <summary><c>INFO</c>.</summary>
    Info,

    /// <summary><c>WARNING</c>.</summary>
    Warning,

    /// <summary><c>ERROR</c>.</summary>
    Error,

    /// <summary><c>CRITICAL</c>.</summary>
    Critical,
}
