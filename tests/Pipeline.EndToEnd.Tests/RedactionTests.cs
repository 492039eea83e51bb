using System.Text;
using Pipeline.EndToEnd.Tests.Infrastructure;
using Pipeline.Tests.Shared;

namespace Pipeline.EndToEnd.Tests;

/// <summary>Secrets sent by robots never reach the files: only <c>***</c> does.</summary>
public sealed class RedactionTests
{
    private const string TokenValue = "tok-5f3a9c1e-SECRET-VALUE";
    private const string BearerCredential = "mF_9.B5f-4.1JqM";
    private const string JwtHeader = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";
    private const string JwtPayload = "eyJzdWIiOiJyb2JvdC00MiIsImV4cCI6MTcwMDAwMDAwMH0";
    private const string JwtSignature = "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
    private const string Jwt = JwtHeader + "." + JwtPayload + "." + JwtSignature;

    [Fact]
    public async Task FilesContainNoTokenFieldBearerHeaderOrJwtOnlyTheReplacement()
    {
        await using var pipeline = await TestPipeline.StartAsync();
        var input =
            $"{{\"robot_id\":\"r1\",\"msg\":\"login\",\"seq\":0,\"token\":\"{TokenValue}\"}}\n" +
            $"{{\"robot_id\":\"r1\",\"msg\":\"upload\",\"seq\":1,\"http\":{{\"request\":{{\"headers\":{{\"x-upstream-auth\":\"Bearer {BearerCredential}\"}}}}}}}}\n" +
            $"{{\"robot_id\":\"r1\",\"msg\":\"session renewed with {Jwt} for robot-42\",\"seq\":2}}\n";

        await pipeline.SendTcpAsync(Encoding.UTF8.GetBytes(input));
        await pipeline.StopAsync();

        var lines = Lz4Files.ReadWithK4os(pipeline.LogsDir);
        Ndjson.AssertEverySeqOnce(lines, 3);
        var text = string.Join('\n', lines);
        foreach (var secret in new[] { TokenValue, BearerCredential, JwtHeader, JwtPayload, JwtSignature })
        {
            Assert.DoesNotContain(secret, text);
        }

        var bySeq = lines.OrderBy(Ndjson.Seq).ToList();
        Assert.Contains("\"token\":\"***\"", bySeq[0]);
        Assert.Contains("\"x-upstream-auth\":\"***\"", bySeq[1]);
        Assert.Equal("session renewed with *** for robot-42", Ndjson.Field(bySeq[2], "msg"));
    }
}
