using Microsoft.Extensions.Primitives;
using Pipeline.Blocks.Configuration;
using Pipeline.Ingest.Tail;

namespace Pipeline.Ingest.Tests.Tail;

/// <summary>
/// A viewer's connection paces its sends (<see cref="TailOptions.SendInterval"/>): events gather between two writes, but a
/// ring that gets half full, or a tail that ends, cuts the wait short so nothing is dropped or held up for the pacing.
/// </summary>
public sealed class TailSubscriberTests
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private static TailSubscriber Viewer(int bufferEvents)
    {
        Assert.True(TailFilter.TryParse([KeyValuePair.Create("level", new StringValues("info"))], out var filter, out _, out var error), error);
        return new TailSubscriber(filter, bufferEvents);
    }

    [Fact]
    public async Task APacingConnectionIsSentToAsSoonAsItsRingIsHalfFull()
    {
        var viewer = Viewer(bufferEvents: 8);
        var pacing = viewer.PaceAsync(Long, CancellationToken.None);

        for (var i = 0; i < 3; i++)
        {
            viewer.Add("{}"u8);
        }

        Assert.False(pacing.IsCompleted); // three of eight: the events wait for the interval
        viewer.Add("{}"u8);

        await pacing.WaitAsync(Deadline);
        Assert.Equal(4, viewer.Take().Count);
    }

    [Fact]
    public async Task TheTailEndingCutsThePacingShort()
    {
        var viewer = Viewer(bufferEvents: 8);
        var pacing = viewer.PaceAsync(Long, CancellationToken.None);
        Assert.False(pacing.IsCompleted);

        viewer.End();

        await pacing.WaitAsync(Deadline);
        Assert.True(viewer.PaceAsync(Long, CancellationToken.None).IsCompleted); // ended: no more waiting at all
    }

    [Fact]
    public void AZeroIntervalSendsEachEventAtOnce()
    {
        var viewer = Viewer(bufferEvents: 8);
        Assert.True(viewer.PaceAsync(TimeSpan.Zero, CancellationToken.None).IsCompleted);
    }

    [Fact]
    public async Task AHalfFullRingSeenBeforeThePacingBeganIsNotWaitedFor()
    {
        var viewer = Viewer(bufferEvents: 4);
        viewer.Add("{}"u8);
        viewer.Add("{}"u8); // half full while the connection was still writing the previous send

        await viewer.PaceAsync(Long, CancellationToken.None).WaitAsync(Deadline);
        Assert.Equal(2, viewer.Take().Count);
    }

    [Fact]
    public async Task TheViewerLeavingEndsThePacing()
    {
        var viewer = Viewer(bufferEvents: 8);
        using var gone = new CancellationTokenSource();
        var pacing = viewer.PaceAsync(Long, gone.Token);

        await gone.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pacing.WaitAsync(Deadline));
    }

    [Theory]
    [InlineData("-00:00:01")]
    [InlineData("00:00:06")]
    public void ASendIntervalOutOfRangeIsRejectedNamingTheKey(string interval)
    {
        var errors = new List<string>();
        new TailOptions { SendInterval = TimeSpan.Parse(interval, System.Globalization.CultureInfo.InvariantCulture) }.Validate(new OptionsErrors("Pipeline:Tail", errors));

        Assert.Equal([$"Pipeline:Tail:SendInterval: must be 00:00:00 (each event at once) to 00:00:05 (got {interval})."], errors);
    }

    [Fact]
    public void TheDefaultsAreValid()
    {
        var errors = new List<string>();
        new TailOptions().Validate(new OptionsErrors("Pipeline:Tail", errors));
        Assert.Empty(errors);
    }
}
