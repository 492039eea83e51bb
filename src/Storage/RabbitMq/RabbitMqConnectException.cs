namespace Pipeline.Storage.RabbitMq;

/// <summary>The broker could not be reached or refused us (credentials, vhost, a declare); the message says which.</summary>
public sealed class RabbitMqConnectException(string message, Exception? inner = null) : Exception(message, inner);
