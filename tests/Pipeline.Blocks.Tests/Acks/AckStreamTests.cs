using Pipeline.Blocks.Acks;
using Pipeline.Tests.Shared.Acks;

namespace Pipeline.Blocks.Tests.Acks;

public sealed class AckStreamTests
{
    private static AckToken? Take(AckStream stream, IAckOwner owner, params long[] seqs)
    {
        AckToken? token = null;
        foreach (var seq in seqs)
        {
            Assert.Equal(AckVerdict.Take, stream.Accept(owner, seq, ref token, 0, out _));
        }

        return token;
    }

    [Fact]
    public void Numbers_at_or_below_the_highest_taken_are_re_sends()
    {
        var stream = new AckStream("r1", "b1", 0, 0);
        var owner = new RecordingAckOwner();
        stream.Claim(owner, 0);
        Take(stream, owner, 1, 2, 3);
        AckToken? token = null;

        Assert.Equal(AckVerdict.Duplicate, stream.Accept(owner, 3, ref token, 0, out _));
        Assert.Equal(AckVerdict.Duplicate, stream.Accept(owner, 1, ref token, 0, out _));
        Assert.Null(token);
        Assert.Equal(3, stream.Accepted);
    }

    [Fact]
    public void A_skipped_number_is_a_gap_and_counts_as_done()
    {
        var stream = new AckStream("r1", "b1", 0, 0);
        var owner = new RecordingAckOwner();
        stream.Claim(owner, 0);
        var token = Take(stream, owner, 1, 2);

        Assert.Equal(AckVerdict.Gap, stream.Accept(owner, 5, ref token, 0, out var gapFrom));
        Assert.Equal(3, gapFrom);
        Assert.True(token!.MarkDurable());
        Assert.Equal(5, stream.Durable);
    }

    [Fact]
    public void The_ack_is_the_end_of_the_contiguous_durable_prefix_when_batches_complete_out_of_order()
    {
        var stream = new AckStream("r1", "b1", 0, 0);
        var owner = new RecordingAckOwner();
        stream.Claim(owner, 0);
        var first = Take(stream, owner, 1, 2, 3)!;
        var second = Take(stream, owner, 4, 5)!;

        Assert.False(second.MarkDurable());
        Assert.Equal(0, stream.Durable);
        Assert.True(first.MarkDurable());
        Assert.Equal(5, stream.Durable);
        Assert.True(stream.TakeDueAck(out var seq, out var to));
        Assert.Equal(5, seq);
        Assert.Same(owner, to);
        Assert.False(stream.TakeDueAck(out _, out _));
    }

    [Fact]
    public void A_lost_last_batch_gives_its_numbers_back_and_closes_the_connection_that_sent_them()
    {
        var stream = new AckStream("r1", "b1", 0, 0);
        var owner = new RecordingAckOwner();
        stream.Claim(owner, 0);
        Take(stream, owner, 1, 2)!.MarkDurable();
        var lost = Take(stream, owner, 3, 4)!;

        lost.MarkLost();

        Assert.Equal(2, stream.Accepted);
        Assert.Equal(["resend"], owner.Resends);
        // The robot reconnects and re-sends 3 and 4: taken again, not duplicates.
        var again = new RecordingAckOwner();
        stream.Claim(again, 0);
        Take(stream, again, 3, 4);
    }

    [Fact]
    public void A_lost_batch_of_a_connection_that_was_taken_over_leaves_the_new_one_open()
    {
        var stream = new AckStream("r1", "b1", 0, 0);
        var old = new RecordingAckOwner();
        stream.Claim(old, 0);
        var lost = Take(stream, old, 1, 2)!;
        var current = new RecordingAckOwner();
        stream.Claim(current, 0);

        lost.MarkLost();

        Assert.Empty(current.Resends);
        Take(stream, current, 1, 2, 3);
    }

    [Fact]
    public void After_a_lost_batch_below_others_in_flight_re_sent_numbers_of_those_stay_duplicates()
    {
        var stream = new AckStream("r1", "b1", 0, 0);
        var owner = new RecordingAckOwner();
        stream.Claim(owner, 0);
        var lost = Take(stream, owner, 1, 2)!;
        var later = Take(stream, owner, 3, 4)!;

        lost.MarkLost();
        Assert.Equal(["resend"], owner.Resends);
        var again = new RecordingAckOwner();
        stream.Claim(again, 0);
        AckToken? token = null;
        Assert.Equal(AckVerdict.Take, stream.Accept(again, 1, ref token, 0, out _));
        Assert.Equal(AckVerdict.Take, stream.Accept(again, 2, ref token, 0, out _));
        Assert.Equal(AckVerdict.Duplicate, stream.Accept(again, 3, ref token, 0, out _));
        Assert.Equal(AckVerdict.Duplicate, stream.Accept(again, 4, ref token, 0, out _));
        Assert.Equal(AckVerdict.Take, stream.Accept(again, 5, ref token, 0, out _));

        later.MarkDurable();
        Assert.Equal(0, stream.Durable);
        token!.MarkDurable();
        Assert.Equal(5, stream.Durable);
    }

    [Fact]
    public void A_batch_that_skipped_another_batchs_seqs_does_not_make_them_durable_when_that_batch_is_lost()
    {
        var stream = new AckStream("r1", "b1", 0, 0);
        var owner = new RecordingAckOwner();
        stream.Claim(owner, 0);
        var first = Take(stream, owner, 1, 2)!;
        var middle = Take(stream, owner, 3, 4)!;
        first.MarkLost(); // below middle, which is still in flight: the robot re-sends from its last ack
        var again = new RecordingAckOwner();
        stream.Claim(again, 0);
        AckToken? token = null;
        foreach (var seq in (long[])[1, 2, 3, 4, 5])
        {
            stream.Accept(again, seq, ref token, 0, out _); // 3 and 4 are middle's: duplicates
        }

        middle.MarkLost(); // and now middle never reaches the disk either
        token!.MarkDurable();

        Assert.Equal(2, stream.Durable); // 3 and 4 are not on disk: the ack stops before them
        Assert.NotEmpty(again.Resends);
    }

    [Fact]
    public void A_seq_implausibly_far_ahead_is_out_of_range_and_the_numbering_stays_where_it_was()
    {
        var stream = new AckStream("r1", "b1", 0, 0);
        var owner = new RecordingAckOwner();
        stream.Claim(owner, 0);
        var token = Take(stream, owner, 1, 2);

        Assert.Equal(AckVerdict.OutOfRange, stream.Accept(owner, 2 + AckStream.MaxSeqJump + 1, ref token, 0, out _));
        Assert.Equal(2, stream.Accepted);
        Assert.Equal(AckVerdict.Take, stream.Accept(owner, 3, ref token, 0, out _));
        Assert.Equal(AckVerdict.Gap, stream.Accept(owner, 3 + AckStream.MaxSeqJump, ref token, 0, out _)); // at the limit: a gap
    }

    [Fact]
    public void A_connection_that_no_longer_owns_the_stream_is_refused()
    {
        var stream = new AckStream("r1", "b1", 0, 0);
        var old = new RecordingAckOwner();
        stream.Claim(old, 0);
        stream.Claim(new RecordingAckOwner(), 0);
        AckToken? token = null;

        Assert.Equal(AckVerdict.NotOwner, stream.Accept(old, 1, ref token, 0, out _));
    }

    [Fact]
    public void A_recovered_stream_goes_on_after_its_durable_seq()
    {
        var stream = new AckStream("r1", "b1", 0, 0);
        stream.Recover(41);
        var owner = new RecordingAckOwner();
        stream.Claim(owner, 0);
        AckToken? token = null;

        Assert.Equal(AckVerdict.Duplicate, stream.Accept(owner, 41, ref token, 0, out _));
        Assert.Equal(AckVerdict.Take, stream.Accept(owner, 42, ref token, 0, out _));
        Assert.Equal(42, token!.First);
    }
}
