namespace Pipeline.Client.Tests.Infrastructure;

/// <summary>Waits for a condition that other threads or processes make true, with a deadline: never a fixed sleep.</summary>
public static class Poll
{
    public static async Task UntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> failure)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"not within {timeout}: {failure()}");
            }

            await Task.Delay(10);
        }
    }
}
