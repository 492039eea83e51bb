namespace Pipeline.Storage.RabbitMq;

/// <summary>Part of a batch was not confirmed (nacked, returned, timed out, channel closed); the batch now holds only that part.</summary>
public sealed class RabbitMqPublishException(string message, Exception? inner = null) : Exception(message, inner);
