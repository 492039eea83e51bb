using System.Text;
using System.Text.Json.Nodes;
using Pipeline.Channels.Tests.Infrastructure;
using Pipeline.Storage.Alerting;
using Pipeline.Storage.Alerting.Internal;
using Pipeline.Storage.Alerting.Telegram;

namespace Pipeline.Channels.Tests;

/// <summary>The Telegram channel against a real HTTP server speaking the Bot API's sendMessage.</summary>
public sealed class TelegramChannelTests
{
    private const string TooManyRequests =
        """{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 5","parameters":{"retry_after":5}}""";

    private static AlertChannelOptions Bot(string baseUrl) => new()
    {
        Type = AlertChannelType.Telegram,
        BaseUrl = baseUrl,
        BotToken = "123456:ABC-test",
        ChatId = "-1001234567890",
        GroupWait = TimeSpan.FromSeconds(1),
        RetryDelay = TimeSpan.FromMilliseconds(100),
        Timeout = TimeSpan.FromHours(1),
    };

    [Fact]
    public async Task A429WithRetryAfterIsWaitedExactlyThatLongBeforeTheNextAttempt()
    {
        await using var api = await HttpReceiver.StartAsync();
        api.Respond = i => i == 0 ? (429, TooManyRequests) : (200, """{"ok":true,"result":{"message_id":1}}""");
        await using var test = TestChannels.Start(new() { ["dev"] = Bot(api.BaseUrl) });
        test.Channels.Notify("dev", Notices.Of("battery_low", "r-7", count: 3, example: "battery 12%"));

        await test.Time.FireAsync(TimeSpan.FromSeconds(1));
        await api.WaitForAsync(1);
        var retryAt = await test.Time.TimerAsync(d => d == TimeSpan.FromSeconds(5));
        Assert.Equal(test.Time.GetUtcNow() + TimeSpan.FromSeconds(5), retryAt);
        test.Time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.Single(api.Requests); // not before retry_after
        test.Time.AdvanceTo(retryAt);
        var requests = await api.WaitForAsync(2);
        await test.Channels.StopAsync(CancellationToken.None);

        Assert.Equal("/bot123456:ABC-test/sendMessage", requests[1].Path);
        var body = JsonNode.Parse(requests[1].Body)!;
        Assert.Equal("-1001234567890", (string)body["chat_id"]!);
        Assert.Equal("FIRING: battery_low robot_id=r-7 (3 events)\n\n[FIRING] battery_low robot_id=r-7 — 3 events, critical\n  summary: battery_low on r-7\n  • battery 12%",
            (string)body["text"]!);
        Assert.Null(body["parse_mode"]);
        Assert.Equal(1, test.Messages("dev", "sent"));
        Assert.Equal(0, test.Messages("dev", "failed"));
    }

    [Fact]
    public async Task ALongDigestIsCutAt4096CharactersAtACharacterBoundaryWithAMarker()
    {
        await using var api = await HttpReceiver.StartAsync();
        var options = Bot(api.BaseUrl);
        await using var test = TestChannels.Start(new() { ["dev"] = options });
        for (var i = 0; i < 100; i++)
        {
            test.Channels.Notify("dev", Notices.Of("ошибка_датчика", $"r-{i}", example: string.Concat(Enumerable.Repeat("🤖 робот 温度 ", 30))));
        }

        await test.Time.FireAsync(TimeSpan.FromSeconds(1));
        var text = (string)JsonNode.Parse((await api.WaitForAsync(1))[0].Body)!["text"]!;

        Assert.InRange(text.Length, 4000, TelegramText.MaxChars);
        Assert.EndsWith(TelegramText.CutMarker, text, StringComparison.Ordinal);
        Assert.StartsWith("FIRING: 100 groups, 100 events", text, StringComparison.Ordinal);
        var strict = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        Assert.Equal(text, strict.GetString(strict.GetBytes(text))); // no half of a surrogate pair
    }

    [Fact]
    public void TheCutNeverSplitsASurrogatePair()
    {
        var room = TelegramText.MaxChars - TelegramText.CutMarker.Length;
        var text = new string('a', room - 1) + string.Concat(Enumerable.Repeat("🤖", 10));

        var cut = TextCut.Cut(text, TelegramText.MaxChars, TelegramText.CutMarker);

        Assert.Equal(new string('a', room - 1) + TelegramText.CutMarker, cut);
        Assert.Equal(text[..(room + 1)] + TelegramText.CutMarker, TextCut.Cut(text, TelegramText.MaxChars + 2, TelegramText.CutMarker));
    }

    [Fact]
    public async Task TestNotificationReturnsTelegramsOwnRefusal()
    {
        await using var api = await HttpReceiver.StartAsync();
        api.Respond = i => i == 0
            ? (200, """{"ok":true,"result":{}}""")
            : (401, """{"ok":false,"error_code":401,"description":"Unauthorized"}""");
        var options = Bot(api.BaseUrl);
        options.ParseMode = "HTML";
        await using var test = TestChannels.Start(new() { ["dev"] = options });

        var ok = await test.Channels.TestAsync("dev", CancellationToken.None);
        var refused = await test.Channels.TestAsync("dev", CancellationToken.None);

        Assert.True(ok.Success);
        var body = JsonNode.Parse(api.Requests[0].Body)!;
        Assert.Equal("HTML", (string)body["parse_mode"]!);
        Assert.StartsWith("TEST: pipeline_test (1 event)", (string)body["text"]!, StringComparison.Ordinal);
        Assert.Equal("dev: Telegram refused sendMessage to chat -1001234567890: 401 Unauthorized", refused.Error);
        Assert.DoesNotContain("ABC-test", refused.Error!, StringComparison.Ordinal);
    }
}
