namespace Pipeline.Channels.Tests.Infrastructure;

/// <summary>A test against the real RabbitMQ node that test.sh starts; skipped, saying why, only when its URI is not set.</summary>
public sealed class RabbitMqFactAttribute : FactAttribute
{
    public const string UriVariable = "PIPELINE_TEST_RABBITMQ_URI";

    public RabbitMqFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(UriVariable)))
        {
            Skip = $"{UriVariable} is not set: run ./test.sh, which starts a RabbitMQ node for the tests.";
        }
    }
}
