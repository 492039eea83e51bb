namespace Pipeline.Client.Tests.Infrastructure;

/// <summary>Waits for a condition on a client, woken by its changes (never a fixed sleep), with a deadline.</summary>
public static class Poll
{
    public static async Task UntilAsync(PipelineClient client, Func<bool> condition, TimeSpan timeout, Func<string> failure)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            // Take the signal before the check: a change between the two wakes the wait at once.
            var changed = client.NextChangeAsync();
            if (condition())
            {
                return;
            }

            try
            {
                await changed.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                Assert.Fail($"not within {timeout}: {failure()}");
            }
        }
    }
}
