using System.CommandLine;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Pipeline.LoadTests.Cli;
using Pipeline.LoadTests.Generation;

namespace Pipeline.LoadTests.Tests;

/// <summary>The load generator's events: stamped with the time they are sent by default, gen_events.py's fixed day on request.</summary>
public sealed class EventGeneratorTests
{
    private static JsonElement Write(EventGenerator generator, long seq)
    {
        var buffer = new byte[EventGenerator.MaxLineBytes];
        var length = generator.Write(buffer, seq);
        Assert.Equal((byte)'\n', buffer[length - 1]);
        return JsonDocument.Parse(buffer.AsMemory(0, length - 1)).RootElement.Clone();
    }

    [Fact]
    public void EventsCarryTheClocksTimeToTheMillisecondAcrossSecondsAndDays()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 31, 23, 59, 59, 998, TimeSpan.Zero));
        var generator = new EventGenerator(seed: 1, clock: clock);
        Assert.Equal("2026-12-31T23:59:59.998Z", Write(generator, 0).GetProperty("ts").GetString());
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal("2026-12-31T23:59:59.999Z", Write(generator, 1).GetProperty("ts").GetString());
        clock.Advance(TimeSpan.FromMilliseconds(3)); // a new second, a new day and year: the cached prefix is redone
        Assert.Equal("2027-01-01T00:00:00.002Z", Write(generator, 2).GetProperty("ts").GetString());
    }

    [Fact]
    public void WithoutAClockTheStampIsGenEventsFixedDayFromSeqAndTheBytesRepeat()
    {
        var first = Write(new EventGenerator(seed: 3), 61_234);
        Assert.Equal("2026-11-23T12:01:01.234Z", first.GetProperty("ts").GetString());
        Assert.Equal(EventGenerator.Ndjson(50, seed: 3), EventGenerator.Ndjson(50, seed: 3));
    }

    [Fact]
    public void SeqFirstEventsAreStampedToo()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 4, 22, 40, 0, 5, TimeSpan.Zero));
        var buffer = new byte[EventGenerator.MaxLineBytes];
        var length = new EventGenerator(seed: 2, robot: 7, seqFirst: true, clock: clock).Write(buffer, 42);
        var line = Encoding.UTF8.GetString(buffer, 0, length);
        Assert.StartsWith("{\"seq\":42,\"ts\":\"2026-12-04T22:40:00.005Z\",\"robot_id\":\"robot-7\"", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new string[0], false)]
    [InlineData(new[] { "--fixed-timestamps" }, true)]
    public void TheCommandLineStampsWithTheSendTimeUnlessAskedForFixedOnes(string[] arguments, bool fixedTimestamps)
    {
        var fleet = new FleetOptions();
        var command = new RootCommand();
        fleet.AddTo(command);
        var result = command.Parse(arguments);
        Assert.Empty(result.Errors);
        Assert.Equal(fixedTimestamps, fleet.Plan(result, "tcp 127.0.0.1:5140").FixedTimestamps);
    }
}
