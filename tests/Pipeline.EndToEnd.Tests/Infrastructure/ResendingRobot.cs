using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Pipeline.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A robot written from the protocol (docs/acks.md) alone, over TCP: it numbers <see cref="Total"/> events, keeps every
/// one until an ack covers it, and on any disconnect reconnects (to wherever <see cref="Port"/> says the service is now)
/// and re-sends everything after the resume ack.
/// </summary>
internal sealed class ResendingRobot
{
    private readonly string _robot;
    private readonly string _boot;
    private long _acked;
    private long _connections;
    private TcpClient? _client;
    private readonly int _rate;
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private long _sent;

    /// <param name="rate">Events per second at most, so the service has work in flight when it is killed.</param>
    public ResendingRobot(string robot, string boot, int total, Func<int> port, int rate)
    {
        _rate = rate;
        _robot = robot;
        _boot = boot;
        Total = total;
        Port = port;
    }

    public int Total { get; }

    public Func<int> Port { get; set; }

    public long Acked => Interlocked.Read(ref _acked);

    public long Connections => Interlocked.Read(ref _connections);

    /// <summary>Events written to a socket, re-sends included.</summary>
    public long Sent => _sent;

    public static string Event(long seq) => $"{{\"seq\":{seq},\"level\":\"INFO\",\"msg\":\"kill test {seq}\"}}";

    /// <summary>Sends until every event is acknowledged, or <paramref name="cancellationToken"/>.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (Acked < Total)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                await SessionAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or JsonException)
            {
                // The service went away (killed) or the socket was aborted: back off a little and reconnect.
                await Task.Delay(50, cancellationToken);
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

    private async Task SessionAsync(CancellationToken cancellationToken)
    {
        using var client = new TcpClient(AddressFamily.InterNetwork);
        await client.ConnectAsync(IPAddress.Loopback, Port(), cancellationToken);
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
            while (next <= Total)
            {
                // At most 20,000 unacknowledged: the robot's bounded buffer.
                if (next - Acked > 20_000)
                {
                    await Task.WhenAny(acks, Task.Delay(5, session.Token));
                    if (acks.IsCompleted)
                    {
                        break;
                    }

                    continue;
                }

                var text = new StringBuilder();
                var end = Math.Min(Total, next + 499);
                for (var seq = next; seq <= end; seq++)
                {
                    text.Append(Event(seq)).Append('\n');
                }

                await stream.WriteAsync(Encoding.UTF8.GetBytes(text.ToString()), session.Token);
                _sent += end - next + 1;
                next = end + 1;
                var ahead = TimeSpan.FromSeconds((double)_sent / _rate) - _clock.Elapsed;
                if (ahead > TimeSpan.Zero)
                {
                    await Task.Delay(ahead, session.Token);
                }
            }

            while (Acked < Total && !acks.IsCompleted)
            {
                await Task.WhenAny(acks, Task.Delay(10, session.Token));
            }
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
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            Raise(Ack(line));
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
        long seen;
        while ((seen = Interlocked.Read(ref _acked)) < seq && Interlocked.CompareExchange(ref _acked, seq, seen) != seen)
        {
        }
    }
}
