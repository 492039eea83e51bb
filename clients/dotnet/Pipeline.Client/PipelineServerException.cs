namespace Pipeline.Client;

/// <summary>The server refused the connection with an error message (<c>acks_unavailable</c>, <c>bad_hello</c>, …); the client reconnects with backoff.</summary>
public sealed class PipelineServerException : Exception
{
    /// <summary>Creates the exception for the server's <paramref name="error"/> code and <paramref name="message"/>.</summary>
    public PipelineServerException(string error, string? message)
        : base($"the server refused the connection: {error}{(message is null ? "" : ": " + message)}")
    {
        Error = error;
    }

    /// <summary>Creates the exception with a message of its own.</summary>
    public PipelineServerException()
    {
        Error = "";
    }

    /// <summary>Creates the exception with a message of its own.</summary>
    public PipelineServerException(string message)
        : base(message)
    {
        Error = "";
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public PipelineServerException(string message, Exception innerException)
        : base(message, innerException)
    {
        Error = "";
    }

    /// <summary>The server's error code, e.g. <c>acks_unavailable</c>.</summary>
    public string Error { get; }
}
