using Pipeline.Tests.Shared;

namespace Pipeline.Ingest.Tests.Infrastructure;

/// <summary>
/// A well-behaved robot on its own TCP connection, open while another connection misbehaves.
/// Its events must all reach the files: bad input on one connection must not hurt the others.
/// </summary>
public sealed class Bystander : IDisposable
{
    private readonly TcpPeer _peer;
    private readonly string _name;
    private readonly List<string> _sent = [];

    private Bystander(TcpPeer peer, string name)
    {
        _peer = peer;
        _name = name;
    }

    public static async Task<Bystander> ConnectAsync(TestPipeline pipeline, string name = "bystander") =>
        new(await TcpPeer.ConnectAsync(pipeline), name);

    /// <summary>The messages sent so far, in order.</summary>
    public IReadOnlyList<string> Sent => _sent;

    /// <summary>Sends <paramref name="count"/> more events in one write.</summary>
    public Task SendAsync(int count)
    {
        var text = new System.Text.StringBuilder();
        for (var i = 0; i < count; i++)
        {
            var msg = $"{_name} {_sent.Count}";
            _sent.Add(msg);
            text.Append(Ndjson.Line(_name, msg));
        }

        return _peer.SendAsync(text.ToString());
    }

    /// <summary>Ends the stream and waits until the server has closed the connection.</summary>
    public Task CloseAsync() => _peer.CloseAsync();

    /// <summary>
    /// The end of every bad-input test: five more events after the bad input, the HTTP surface still up,
    /// then this connection closed and the service stopped (drained). Returns what reached the files,
    /// having checked that every message of this bystander is there, once and in order.
    /// </summary>
    public async Task<IReadOnlyList<LoggedEvent>> FinishAsync(TestPipeline pipeline)
    {
        await SendAsync(5);
        await HttpProbe.AssertStillUpAsync(pipeline);
        await CloseAsync();
        await pipeline.StopAsync();
        var events = LoggedEvent.ReadAll(pipeline);
        AssertAllArrived(events);
        return events;
    }

    /// <summary>Asserts that every message this bystander sent is in the files, once and in order.</summary>
    public void AssertAllArrived(IReadOnlyList<LoggedEvent> logged)
    {
        var mine = logged.Where(e => e.RobotId == _name).Select(e => e.Msg ?? "").ToList();
        Assert.Equal(_sent, mine);
    }

    public void Dispose() => _peer.Dispose();
}
