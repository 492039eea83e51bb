using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Pipeline.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A robot written from the protocol (docs/acks.md) alone, over TCP: it numbers <see cref="Total"/> events, keeps every
/// one until an ack covers it, and on any disconnect reconnects (to wherever the <see cref="ServiceAddress"/> says the
/// service is now) and re-sends everything after the resume ack. It sends only up to what the test allows
/// (<see cref="Allow"/>) and at most <see cref="Window"/> unacknowledged, so the test decides when work is in flight;
/// nothing in it waits on a clock.
/// </summary>
internal sealed class ResendingRobot
{
    /// <summary>Events sent and not yet acknowledged, at most: the robot's bounded buffer.</summary>
    public const int Window = 20_000;

    private readonly string _robot;
    private readonly string _boot;
    private readonly ServiceAddress _address;
    private readonly Lock _gate = new();
    private TaskCompletionSource _changed = NewSignal();
    private long _acked;
    private long _allowed;
    private long _sent;
    private long _connections;
    private TcpClient? _client;

    public ResendingRobot(string robot, string boot, int total, ServiceAddress address)
    {
        _robot = robot;
        _boot = boot;
        Total = total;
        _address = address;
    }

    public int Total { get; }

    public long Acked => Interlocked.Read(ref _acked);

    public long Connections => Interlocked.Read(ref _connections);

    /// <summary>The highest seq written to a socket so far (in this or an earlier connection).</summary>
    public long Sent => Interlocked.Read(ref _sent);

    public static string Event(long seq) => $"{{\"seq\":{seq},\"level\":\"INFO\",\"msg\":\"kill test {seq}\"}}";

    /// <summary>Lets the robot send up to <paramref name="seq"/>.</summary>
    public void Allow(long seq)
    {
        Interlocked.Exchange(ref _allowed, Math.Min(seq, Total));
        Pulse();
    }

    /// <summary>Completes once an ack covers <paramref name="seq"/>.</summary>
    public async Task WaitForAckedAsync(long seq, CancellationToken cancellationToken)
    {
        while (true)
        {
            var changed = Changed;
            if (Acked >= seq)
            {
                return;
            }

            await changed.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Completes once the robot has written <paramref name="seq"/> to a socket.</summary>
    public async Task WaitForSentAsync(long seq, CancellationToken cancellationToken)
    {
        while (true)
        {
            var changed = Changed;
            if (Sent >= seq)
            {
                return;
            }

            await changed.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Sends until every event is acknowledged, or <paramref name="cancellationToken"/>.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (Acked < Total)
        {
            var (port, version) = _address.Current;
            try
            {
                await SessionAsync(port, cancellationToken);
            }
            catch (SocketException) when (Volatile.Read(ref _client) is null)
            {
                // Refused: the service is down (killed). Wait for the test to say where the new one listens.
                await _address.MovedSinceAsync(version, cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or JsonException)
            {
                // The connection broke (the service killed, the socket aborted): reconnect at once, and re-send.
            }
        }
    }

    /// <summary>Drops the current connection from the robot's side, with a reset.</summary>
    public void AbortSocket()
    {
        var client = Volatile.Read(ref _client);
        if (client?.Client is null)
        {
            return;
        }

        try
        {
            client.Client.LingerState = new LingerOption(true, 0);
            client.Close();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private Task Changed
    {
        get
        {
            lock (_gate)
            {
                return _changed.Task;
            }
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Something a waiter waits for changed (an ack, the allowance).</summary>
    private void Pulse()
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            changed = _changed;
            _changed = NewSignal();
        }

        changed.TrySetResult();
    }

    private async Task SessionAsync(int port, CancellationToken cancellationToken)
    {
        Volatile.Write(ref _client, null);
        using var client = new TcpClient(AddressFamily.InterNetwork);
        await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
        Volatile.Write(ref _client, client);
        Interlocked.Increment(ref _connections);
        var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.UTF8);
        await stream.WriteAsync(Encoding.UTF8.GetBytes(
            $"{{\"type\":\"hello\",\"robot_id\":\"{_robot}\",\"boot_id\":\"{_boot}\",\"acks\":true}}\n"), cancellationToken);
        var resume = Ack(await reader.ReadLineAsync(cancellationToken) ?? throw new IOException("closed before the resume ack"));
        Raise(resume);

        using var session = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var acks = ReadAcksAsync(reader, session.Token);
        try
        {
            var next = resume + 1;
            while (Acked < Total && !acks.IsCompleted)
            {
                var changed = Changed;
                var end = Math.Min(Math.Min(Interlocked.Read(ref _allowed), Acked + Window), next + 499);
                if (end < next)
                {
                    // Nothing more may go now (the test's allowance, or the window): wait for an ack or more allowance.
                    await Task.WhenAny(acks, changed);
                    continue;
                }

                var text = new StringBuilder();
                for (var seq = next; seq <= end; seq++)
                {
                    text.Append(Event(seq)).Append('\n');
                }

                await stream.WriteAsync(Encoding.UTF8.GetBytes(text.ToString()), session.Token);
                InterlockedMax(ref _sent, end);
                Pulse();
                next = end + 1;
            }

            await acks; // rethrows how the connection ended, if it did
        }
        finally
        {
            await session.CancelAsync();
            try
            {
                await acks;
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
            {
            }
        }
    }

    private async Task ReadAcksAsync(StreamReader reader, CancellationToken cancellationToken)
    {
        while (Acked < Total && await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            Raise(Ack(line));
        }

        if (Acked < Total)
        {
            throw new IOException("the service closed the connection");
        }
    }

    private static long Ack(string line)
    {
        using var message = JsonDocument.Parse(line);
        var root = message.RootElement;
        Assert.Equal("ack", root.GetProperty("type").GetString());
        return root.GetProperty("seq").GetInt64();
    }

    private void Raise(long seq)
    {
        InterlockedMax(ref _acked, seq);
        Pulse();
    }

    private static void InterlockedMax(ref long location, long value)
    {
        long seen;
        while ((seen = Interlocked.Read(ref location)) < value && Interlocked.CompareExchange(ref location, value, seen) != seen)
        {
        }
    }
}
