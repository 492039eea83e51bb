using System.Text.Json;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Metrics;
using Pipeline.Blocks.Redact;
using static Pipeline.Blocks.Tests.Infrastructure.TestBatches;

namespace Pipeline.Blocks.Tests.Redact;

public sealed class RedactBlockTests
{
    private const string Jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";

    private readonly EventBatchPool _pool = SmallPool();
    private readonly PipelineMetrics _metrics = new();

    private (EventBatch Batch, EventRecord Event) Redact(string? msg, string? attributes, RedactOptions? options = null)
    {
        var batch = _pool.Rent();
        AddEvent(batch, msg, attributes);
        new RedactBlock(options ?? new RedactOptions(), _metrics).Process(batch);
        return (batch, batch.Events[0]);
    }

    /// <summary>The msg as a reader sees it: the slice must be valid JSON string content.</summary>
    private static string Msg(EventBatch batch, EventRecord e) =>
        JsonDocument.Parse("\"" + Text(batch, e.Msg) + "\"").RootElement.GetString()!;

    /// <summary>The attributes re-serialised compactly: the slice must be a valid JSON object.</summary>
    private static string Attributes(EventBatch batch, EventRecord e)
    {
        using var document = JsonDocument.Parse(batch[e.Attributes].ToArray());
        Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
        return JsonSerializer.Serialize(document.RootElement);
    }

    [Fact]
    public void RedactMasksDefaultKeyAtTopLevel()
    {
        var (batch, e) = Redact("login", """{"user":"bob","password":"hunter2","n":1}""");

        Assert.Equal("""{"user":"bob","password":"***","n":1}""", Attributes(batch, e));
        Assert.Equal("login", Msg(batch, e));
    }

    [Theory]
    [InlineData("token")]
    [InlineData("password")]
    [InlineData("passwd")]
    [InlineData("secret")]
    [InlineData("authorization")]
    [InlineData("api_key")]
    [InlineData("apikey")]
    [InlineData("access_token")]
    [InlineData("refresh_token")]
    [InlineData("cookie")]
    [InlineData("session")]
    public void RedactMasksEveryDefaultKey(string key)
    {
        var (batch, e) = Redact(null, $$"""{"{{key}}":"s3cr3t-value","keep":"visible"}""");

        Assert.Equal($$"""{"{{key}}":"***","keep":"visible"}""", Attributes(batch, e));
    }

    [Theory]
    [InlineData("Password")]
    [InlineData("TOKEN")]
    [InlineData("Api_Key")]
    [InlineData("AUTHORIZATION")]
    [InlineData("sEsSiOn")]
    public void RedactMatchesKeysCaseInsensitively(string key)
    {
        var (batch, e) = Redact(null, $$"""{"{{key}}":"s3cr3t"}""");

        Assert.Equal($$"""{"{{key}}":"***"}""", Attributes(batch, e));
    }

    [Fact]
    public void RedactMasksKeysAtAnyDepth()
    {
        var (batch, e) = Redact(null,
            """{"a":{"b":{"c":{"Token":"deep"}}},"list":[{"secret":"in-array"},{"ok":1},[{"PASSWORD":"nested-array"}]],"x":"y"}""");

        Assert.Equal(
            """{"a":{"b":{"c":{"Token":"***"}}},"list":[{"secret":"***"},{"ok":1},[{"PASSWORD":"***"}]],"x":"y"}""",
            Attributes(batch, e));
    }

    [Fact]
    public void RedactReplacesObjectOrArrayUnderSecretKeyWhole()
    {
        var (batch, e) = Redact(null,
            """{"session":{"id":"s-1","user":{"name":"u"}},"cookie":["a=1","b=2"],"after":true}""");

        Assert.Equal("""{"session":"***","cookie":"***","after":true}""", Attributes(batch, e));
    }

    [Fact]
    public void RedactReplacesNonStringValuesUnderSecretKey()
    {
        var (batch, e) = Redact(null, """{"token":123456,"secret":true,"password":null,"apikey":-1.5e3}""");

        Assert.Equal("""{"token":"***","secret":"***","password":"***","apikey":"***"}""", Attributes(batch, e));
    }

    [Fact]
    public void RedactLeavesKeysThatOnlyContainASecretName()
    {
        var (batch, e) = Redact(null, """{"token_count":3,"session_id":"abc","my_password_hint":"pet"}""");

        Assert.Equal("""{"token_count":3,"session_id":"abc","my_password_hint":"pet"}""", Attributes(batch, e));
    }

    [Fact]
    public void RedactMatchesEscapedKeyNames()
    {
        var (batch, e) = Redact(null, """{"pass\u0077ord":"hunter2","\u0074oken":"t"}""");

        using var document = JsonDocument.Parse(batch[e.Attributes].ToArray());
        Assert.Equal("***", document.RootElement.GetProperty("password").GetString());
        Assert.Equal("***", document.RootElement.GetProperty("token").GetString());
    }

    [Fact]
    public void RedactMasksBearerTokenInMsg()
    {
        var (batch, e) = Redact("auth failed for Bearer abc.DEF-123_~+/= from 10.0.0.1", null);

        Assert.Equal("auth failed for *** from 10.0.0.1", Msg(batch, e));
    }

    [Fact]
    public void RedactMasksLowerCaseBearerToken()
    {
        var (batch, e) = Redact("header: bearer abc123", null);

        Assert.Equal("header: ***", Msg(batch, e));
    }

    [Fact]
    public void RedactMasksBearerTokenInNestedAttribute()
    {
        var (batch, e) = Redact(null, """{"http":{"headers":[{"name":"auth","value":"Bearer abc123"}]},"n":1}""");

        Assert.Equal("""{"http":{"headers":[{"name":"auth","value":"***"}]},"n":1}""", Attributes(batch, e));
    }

    [Fact]
    public void RedactMasksEveryBearerTokenInOneString()
    {
        var (batch, e) = Redact("first Bearer aaa then Bearer bbb end", null);

        Assert.Equal("first *** then *** end", Msg(batch, e));
    }

    [Fact]
    public void RedactMasksJwtInMsg()
    {
        var (batch, e) = Redact($"token was {Jwt}, rejected", null);

        Assert.Equal("token was ***, rejected", Msg(batch, e));
    }

    [Fact]
    public void RedactMasksJwtInStringAttribute()
    {
        var (batch, e) = Redact(null, $$"""{"jwt":"{{Jwt}}","list":["x {{Jwt}} y"]}""");

        Assert.Equal("""{"jwt":"***","list":["x *** y"]}""", Attributes(batch, e));
    }

    [Theory]
    [InlineData("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0")] // cut inside the claims
    [InlineData("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.")]                // cut right after the header's dot
    [InlineData("eyJhbGciOiJIUzI1NiIsInR5")]                             // cut inside the header
    public void RedactMasksAJwtCutByFieldTruncation(string cut)
    {
        var (batch, e) = Redact($"token was {cut}…(truncated)", null);

        Assert.Equal("token was ***…(truncated)", Msg(batch, e));
    }

    [Fact]
    public void AShortEyjWordBeforeTheTruncationMarkerIsNotAJwt()
    {
        var (batch, e) = Redact("eyJx…(truncated)", null);

        Assert.Equal("eyJx…(truncated)", Msg(batch, e));
    }

    [Fact]
    public void RedactMasksUnsignedJwt()
    {
        var (batch, e) = Redact("alg none: eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0. end", null);

        Assert.Equal("alg none: *** end", Msg(batch, e));
    }

    [Fact]
    public void RedactReplacesBearerJwtOnce()
    {
        var (batch, e) = Redact($"Authorization: Bearer {Jwt} ok", null);

        Assert.Equal("Authorization: *** ok", Msg(batch, e));
    }

    [Fact]
    public void RedactAppliesConfiguredPatterns()
    {
        var options = new RedactOptions { Patterns = [@"\b\d{4}-\d{4}-\d{4}-\d{4}\b", "(?i)pin=\\d+"] };

        var (batch, e) = Redact("paid with 4111-1111-1111-1111 PIN=1234 ok", """{"card":"4111-1111-1111-1111","n":"4111"}""", options);

        Assert.Equal("paid with *** *** ok", Msg(batch, e));
        Assert.Equal("""{"card":"***","n":"4111"}""", Attributes(batch, e));
    }

    [Fact]
    public void RedactAppliesConfiguredPatternsToNonAsciiText()
    {
        var options = new RedactOptions { Patterns = ["code-[0-9]+"] };

        var (batch, e) = Redact("Zürich → code-42 ✓", null, options);

        Assert.Equal("Zürich → *** ✓", Msg(batch, e));
    }

    [Fact]
    public void RedactMergesOverlappingPatternMatches()
    {
        var options = new RedactOptions { Patterns = ["abc", "bcd"] };

        var (batch, e) = Redact("xabcdx", null, options);

        Assert.Equal("x***x", Msg(batch, e));
    }

    [Fact]
    public void RedactLeavesCleanEventsUntouched()
    {
        var batch = _pool.Rent();
        AddEvent(batch, "robot docked at station 4", """{"battery":87,"path":["a","b"],"bearer":"no space so no token"}""");
        var before = batch.Events[0];
        var length = batch.DataLength;

        new RedactBlock(new RedactOptions(), _metrics).Process(batch);

        var after = batch.Events[0];
        Assert.Equal(before.Msg, after.Msg);
        Assert.Equal(before.Attributes, after.Attributes);
        Assert.Equal(length, batch.DataLength);
        Assert.Equal(0, _metrics.RedactedEvents.Value);
    }

    [Fact]
    public void RedactCountsChangedEvents()
    {
        var batch = _pool.Rent();
        AddEvent(batch, "clean", """{"a":1}""");
        AddEvent(batch, "Bearer x", null);
        AddEvent(batch, null, """{"token":"t"}""");
        AddEvent(batch, "Bearer y", """{"password":"p"}""");

        new RedactBlock(new RedactOptions(), _metrics).Process(batch);

        Assert.Equal(3, _metrics.RedactedEvents.Value);
        Assert.Equal(4, _metrics.ComponentEvents.WithLabels("redact", "in").Value);
        Assert.Equal(4, _metrics.ComponentEvents.WithLabels("redact", "out").Value);
    }

    [Fact]
    public void RedactUsesCustomReplacement()
    {
        var options = new RedactOptions { Replacement = "<hidden \"x\">" };

        var (batch, e) = Redact("use Bearer abc now", """{"password":"p","note":"Bearer z"}""", options);

        Assert.Equal("use <hidden \"x\"> now", Msg(batch, e));
        using var document = JsonDocument.Parse(batch[e.Attributes].ToArray());
        Assert.Equal("<hidden \"x\">", document.RootElement.GetProperty("password").GetString());
        Assert.Equal("<hidden \"x\">", document.RootElement.GetProperty("note").GetString());
    }

    [Fact]
    public void RedactUsesConfiguredKeysInsteadOfDefaults()
    {
        var options = new RedactOptions { Keys = ["pin"] };

        var (batch, e) = Redact(null, """{"PIN":"1234","password":"kept"}""", options);

        Assert.Equal("""{"PIN":"***","password":"kept"}""", Attributes(batch, e));
    }

    [Fact]
    public void RedactLeavesBearerAndJwtWhenDisabled()
    {
        var options = new RedactOptions { BearerTokens = false, Jwts = false };

        var (batch, e) = Redact($"Bearer abc {Jwt}", null, options);

        Assert.Equal($"Bearer abc {Jwt}", Msg(batch, e));
    }

    [Fact]
    public void RedactKeepsSlicesOfEarlierEventsValidWhenTheBufferGrows()
    {
        var batch = _pool.Rent();
        for (var i = 0; i < 100; i++)
        {
            AddEvent(batch, $"event {i} Bearer tok{i}", $$"""{"i":{{i}},"password":"p{{i}}"}""");
        }

        new RedactBlock(new RedactOptions(), _metrics).Process(batch);

        for (var i = 0; i < 100; i++)
        {
            var e = batch.Events[i];
            Assert.Equal($"event {i} ***", Msg(batch, e));
            Assert.Equal($$"""{"i":{{i}},"password":"***"}""", Attributes(batch, e));
        }
    }

    [Fact]
    public void RedactMasksJwtAfterAnEscapedQuote()
    {
        // System.Text.Json's default encoder writes ' as \u0027: the byte before the JWT is then '7',
        // a base64url character, though the character before it is a quote.
        var (batch, e) = Redact($"token \\u0027{Jwt}\\u0027 rejected", null);

        Assert.Equal("token '***' rejected", Msg(batch, e));
    }

    [Fact]
    public void RedactMasksJwtAfterAnEscapedNewline()
    {
        // A multi-line msg: the JWT starts a line, so the byte before it is the 'n' of \n.
        var (batch, e) = Redact($"headers:\\n{Jwt}\\nend", null);

        Assert.Equal("headers:\n***\nend", Msg(batch, e));
    }

    [Fact]
    public void RedactMasksWholeBearerTokenContainingAnEscapedCharacter()
    {
        // System.Text.Json's default encoder writes '+' as \u002B: "Bearer ab+cd/ef==" arrives like this.
        var (batch, e) = Redact("auth Bearer ab\\u002Bcd/ef== end", null);

        Assert.Equal("auth *** end", Msg(batch, e));
    }

    [Fact]
    public void RedactKeepsJsonValidWhenPatternMatchesInsideAnEscape()
    {
        // "在" arrives as \u5728 from encoders that escape non-ASCII; a digits pattern must not cut it.
        var options = new RedactOptions { Patterns = [@"\d{4}"] };

        var (batch, e) = Redact("robot \\u5728 dock, pin 4821", null, options);

        Assert.Equal("robot 在 dock, pin ***", Msg(batch, e));
    }
}
