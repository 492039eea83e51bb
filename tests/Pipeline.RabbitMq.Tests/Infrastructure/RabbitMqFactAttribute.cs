namespace Pipeline.RabbitMq.Tests.Infrastructure;

/// <summary>A test against the real RabbitMQ node that test.sh starts; skipped, saying why, only when its URI is not set.</summary>
public sealed class RabbitMqFactAttribute : FactAttribute
{
    public RabbitMqFactAttribute()
    {
        if (string.IsNullOrEmpty(Broker.UriOrNull))
        {
            Skip = $"{Broker.UriVariable} is not set: run ./test.sh, which starts a RabbitMQ node for the tests.";
        }
    }
}
