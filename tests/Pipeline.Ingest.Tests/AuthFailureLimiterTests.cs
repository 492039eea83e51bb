using System.Net;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Ingest.Auth;

namespace Pipeline.Ingest.Tests;

public sealed class AuthFailureLimiterTests
{
    private static readonly IPAddress Guesser = IPAddress.Parse("192.0.2.10");
    private static readonly IPAddress Neighbour = IPAddress.Parse("192.0.2.11");
    private readonly FakeTimeProvider _time = new();
    private readonly AuthOptions _options = new() { MaxFailures = 3, FailureWindow = TimeSpan.FromMinutes(1), BlockFor = TimeSpan.FromMinutes(5) };

    private AuthFailureLimiter Create(int capacity = AuthFailureLimiter.DefaultCapacity) => new(_options, _time, capacity);

    private static void Fail(AuthFailureLimiter limiter, IPAddress remote, int times)
    {
        for (var i = 0; i < times; i++)
        {
            limiter.Failed(remote);
        }
    }

    [Fact]
    public void AnAddressIsBlockedAtMaxFailuresWithinTheWindowAndNotBefore()
    {
        var limiter = Create();

        Fail(limiter, Guesser, 2);
        Assert.False(limiter.IsBlocked(Guesser));
        limiter.Failed(Guesser);

        Assert.True(limiter.IsBlocked(Guesser));
        Assert.False(limiter.IsBlocked(Neighbour));
    }

    [Fact]
    public void FailuresSpreadWiderThanTheWindowDoNotBlock()
    {
        var limiter = Create();

        for (var i = 0; i < 10; i++)
        {
            limiter.Failed(Guesser);
            _time.Advance(TimeSpan.FromSeconds(31)); // never three within a minute
        }

        Assert.False(limiter.IsBlocked(Guesser));
    }

    [Fact]
    public void TheWindowSlides()
    {
        var limiter = Create();
        limiter.Failed(Guesser);
        _time.Advance(TimeSpan.FromSeconds(50));
        limiter.Failed(Guesser);
        _time.Advance(TimeSpan.FromSeconds(20)); // the first has left the window
        limiter.Failed(Guesser);
        Assert.False(limiter.IsBlocked(Guesser));

        _time.Advance(TimeSpan.FromSeconds(20)); // the second, third and fourth span 40 s
        limiter.Failed(Guesser);

        Assert.True(limiter.IsBlocked(Guesser));
    }

    [Fact]
    public void ABlockEndsAfterBlockForAndStartsAfresh()
    {
        var limiter = Create();
        Fail(limiter, Guesser, 3);

        _time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        Assert.True(limiter.IsBlocked(Guesser));
        Assert.Equal(TimeSpan.FromSeconds(1), limiter.RetryAfter(Guesser));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(limiter.IsBlocked(Guesser));

        // Not one failure away from the next block.
        Fail(limiter, Guesser, 2);
        Assert.False(limiter.IsBlocked(Guesser));
        limiter.Failed(Guesser);
        Assert.True(limiter.IsBlocked(Guesser));
    }

    [Fact]
    public void FailuresWhileBlockedDoNotExtendTheBlock()
    {
        var limiter = Create();
        Fail(limiter, Guesser, 3);

        _time.Advance(TimeSpan.FromMinutes(4));
        Fail(limiter, Guesser, 10);
        _time.Advance(TimeSpan.FromMinutes(1));

        Assert.False(limiter.IsBlocked(Guesser));
    }

    [Fact]
    public void ASuccessForgetsTheFailuresButDoesNotLiftABlock()
    {
        var limiter = Create();
        Fail(limiter, Guesser, 2);
        limiter.Succeeded(Guesser);
        Fail(limiter, Guesser, 2);
        Assert.False(limiter.IsBlocked(Guesser));

        limiter.Failed(Guesser);
        limiter.Succeeded(Guesser);

        Assert.True(limiter.IsBlocked(Guesser));
    }

    [Fact]
    public void AnIpv4MappedAddressCountsAsItsIpv4Address()
    {
        var limiter = Create();

        Fail(limiter, Guesser.MapToIPv6(), 2);
        limiter.Failed(Guesser);

        Assert.True(limiter.IsBlocked(Guesser));
        Assert.True(limiter.IsBlocked(Guesser.MapToIPv6()));
    }

    [Fact]
    public void TheTableIsBoundedAndTheAddressWhoseLastFailureIsOldestGoesFirst()
    {
        var limiter = Create(capacity: 3);
        var first = IPAddress.Parse("198.51.100.1");
        Fail(limiter, first, 2);
        for (var i = 2; i <= 4; i++)
        {
            limiter.Failed(IPAddress.Parse($"198.51.100.{i}"));
            Assert.True(limiter.TrackedAddresses <= 3);
        }

        Assert.Equal(3, limiter.TrackedAddresses);
        // The first address was evicted: its two failures are forgotten.
        limiter.Failed(first);
        Assert.False(limiter.IsBlocked(first));
    }

    [Fact]
    public void ManyAddressesStayWithinTheCap()
    {
        var limiter = Create(capacity: 1000);

        for (var i = 0; i < 5000; i++)
        {
            limiter.Failed(new IPAddress(BitConverter.GetBytes(0x0A000000 + i)));
        }

        Assert.Equal(1000, limiter.TrackedAddresses);
    }

    [Fact]
    public async Task ConcurrentFailuresFromOneAddressBlockIt()
    {
        var limiter = new AuthFailureLimiter(new AuthOptions { MaxFailures = 100 }, _time);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => Fail(limiter, Guesser, 25))));

        Assert.True(limiter.IsBlocked(Guesser));
    }
}
