using System.Threading.Tasks.Dataflow;
using Pipeline.Blocks.Acks;
using Pipeline.Storage.Sinks;
using Pipeline.Storage.Tests.Infrastructure;
using Pipeline.Tests.Shared.Acks;

namespace Pipeline.Storage.Tests.Sinks;

/// <summary>The runner hands a batch's robots' token to an acknowledging sink, and gives it back as lost when the write is given up.</summary>
public sealed partial class SinkRunnerTests
{
    private static (AckStream Stream, RecordingAckOwner Owner, AckToken Token) Numbered(long count)
    {
        var stream = new AckStream("r1", "b1", 0, 0);
        var owner = new RecordingAckOwner();
        stream.Claim(owner, 0);
        AckToken? token = null;
        for (var seq = 1; seq <= count; seq++)
        {
            stream.Accept(owner, seq, ref token, 0, out _);
        }

        return (stream, owner, token!);
    }

    [Fact]
    public async Task A_written_batch_makes_its_robots_seqs_durable()
    {
        var runner = NewRunner(Options(mode: SinkEncodeMode.EachBatch, attempts: 1));
        var (stream, owner, token) = Numbered(BatchEvents);
        var batch = _batches.Events(0, BatchEvents);
        batch.Ack = token;

        Assert.True(await runner.Input.SendAsync(batch));
        await CompleteAsync(runner);

        Assert.Equal(BatchEvents, stream.Durable);
        Assert.Empty(owner.Resends);
    }

    [Fact]
    public async Task A_batch_whose_write_is_given_up_takes_its_seqs_back_and_its_robot_is_told_to_re_send()
    {
        _sink.Default = SinkStep.Fail();
        var runner = NewRunner(Options(mode: SinkEncodeMode.EachBatch, attempts: 1));
        var (stream, owner, token) = Numbered(BatchEvents);
        var batch = _batches.Events(0, BatchEvents);
        batch.Ack = token;

        Assert.True(await runner.Input.SendAsync(batch));
        await CompleteAsync(runner);

        Assert.Equal(0, stream.Durable);
        Assert.Equal(0, stream.Accepted); // the re-sent seqs are taken again, not dropped as duplicates
        Assert.Equal(["resend"], owner.Resends);
    }
}
