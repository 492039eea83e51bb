using System.Text;
using Pipeline.Ingest.Acks;

namespace Pipeline.Ingest.Tests.Acks;

public sealed class SeqReaderTests
{
    [Theory]
    [InlineData("{\"seq\":42,\"msg\":\"x\"}", 42)]
    [InlineData("{\"seq\":7}", 7)]
    [InlineData("{\"msg\":\"x\",\"seq\":9}", 9)]
    [InlineData("{ \"level\":\"INFO\", \"seq\" : 12 }", 12)]
    [InlineData("{\"data\":{\"seq\":5},\"seq\":6}", 6)]
    public void Finds_the_top_level_seq(string line, long expected) => Assert.Equal(expected, SeqReader.Read(Encoding.UTF8.GetBytes(line)));

    [Theory]
    [InlineData("{\"msg\":\"no number\"}")]
    [InlineData("{\"data\":{\"seq\":5}}")]
    [InlineData("{\"seq\":")]
    [InlineData("not json \"seq\"")]
    [InlineData("{\"msg\":\"\\\"seq\\\":5\"}")]
    public void A_line_without_a_top_level_seq_has_none(string line) => Assert.Equal(0, SeqReader.Read(Encoding.UTF8.GetBytes(line)));

    [Theory]
    [InlineData("{\"seq\":\"5\"}")]
    [InlineData("{\"seq\":-3}")]
    [InlineData("{\"seq\":0}")]
    [InlineData("{\"seq\":1.5}")]
    [InlineData("{\"msg\":\"x\",\"seq\":null}")]
    public void A_top_level_seq_that_is_not_a_positive_integer_is_minus_one(string line) => Assert.Equal(-1, SeqReader.Read(Encoding.UTF8.GetBytes(line)));
}
