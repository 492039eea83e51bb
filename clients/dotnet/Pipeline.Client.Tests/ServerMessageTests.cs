using Pipeline.Client.Internal;

namespace Pipeline.Client.Tests;

public sealed class ServerMessageTests
{
    [Fact]
    public void AnAckOfThisBootIsReadWithItsSeq()
    {
        var message = ServerMessage.Parse("""{"type":"ack","boot_id":"b-1","seq":1234}"""u8, "b-1"u8);
        Assert.Equal((ServerMessageKind.Ack, 1234L), (message.Kind, message.Seq));
    }

    [Fact]
    public void AnAckOfAnotherBootIsIgnored()
    {
        Assert.Equal(ServerMessageKind.Other, ServerMessage.Parse("""{"type":"ack","boot_id":"b-2","seq":5}"""u8, "b-1"u8).Kind);
    }

    [Fact]
    public void AnErrorCarriesTheServersCodeAndMessage()
    {
        var message = ServerMessage.Parse("""{"type":"error","error":"acks_unavailable","message":"acks need the files sink"}"""u8, "b-1"u8);
        Assert.Equal(ServerMessageKind.Error, message.Kind);
        Assert.Equal("acks_unavailable", message.Error);
        Assert.Equal("acks need the files sink", message.Message);
    }

    [Theory]
    [InlineData("""{"type":"heartbeat"}""")]
    [InlineData("""{"type":"command","command_id":"c1","command":"get_status","params":{"a":[1,2]}}""")]
    [InlineData("""{"type":"ack","boot_id":"b-1"}""")]
    [InlineData("""{"type":"ack","boot_id":"b-1","seq":"7"}""")]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("")]
    public void AnythingElseIsIgnored(string line)
    {
        Assert.Equal(ServerMessageKind.Other, ServerMessage.Parse(System.Text.Encoding.UTF8.GetBytes(line), "b-1"u8).Kind);
    }
}
