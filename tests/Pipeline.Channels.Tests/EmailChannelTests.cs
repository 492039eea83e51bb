using Pipeline.Blocks.Alerts;
using Pipeline.Channels.Tests.Infrastructure;
using Pipeline.Storage.Alerting;
using Pipeline.Tests.Shared.Servers;

namespace Pipeline.Channels.Tests;

/// <summary>The e-mail channel against the real SMTP server (aiosmtpd) that test.sh starts; each mail is read back from its Maildir.</summary>
public sealed class EmailChannelTests
{
    private static AlertChannelOptions Mail(string marker, string host, int port) => new()
    {
        Type = AlertChannelType.Email,
        Host = host,
        Port = port,
        StartTls = EmailTls.None,
        From = "Pipeline <pipeline@fleet.example>",
        To = ["ops@fleet.example", "oncall@fleet.example"],
        SubjectPrefix = $"[{marker}]",
        GroupWait = TimeSpan.FromSeconds(1),
        Timeout = TimeSpan.FromHours(1),
    };

    [SmtpFact]
    public async Task ADigestArrivesAsOnePlainTextMailWithCountsInTheSubject()
    {
        var marker = $"t-{Guid.NewGuid():N}"[..12];
        var (host, port) = Smtp.Address;
        await using var test = TestChannels.Start(new() { ["ops"] = Mail(marker, host, port) });
        test.Channels.Notify("ops", Notices.Of("battery_low", "r-7", count: 3, example: "battery 12%"));
        test.Channels.Notify("ops", Notices.Of("battery_low", "r-8", count: 2, example: "battery 9%"));
        test.Channels.Notify("ops", Notices.Of("overheat", "r-7", AlertNoticeKind.Resolved));

        await test.Time.FireAsync(TimeSpan.FromSeconds(1));
        var mail = await Smtp.WaitForAsync(marker);

        Assert.Equal($"[{marker}] FIRING: 3 groups, 6 events", mail.Subject);
        Assert.Equal("\"Pipeline\" <pipeline@fleet.example>", mail.From.ToString());
        Assert.Equal(["ops@fleet.example", "oncall@fleet.example"], mail.To.Mailboxes.Select(m => m.Address));
        var body = mail.TextBody!.ReplaceLineEndings("\n");
        Assert.Contains("[FIRING] battery_low robot_id=r-7 — 3 events, critical\n  summary: battery_low on r-7\n  • battery 12%\n", body, StringComparison.Ordinal);
        Assert.Contains("[FIRING] battery_low robot_id=r-8 — 2 events, critical\n", body, StringComparison.Ordinal);
        Assert.Contains("[RESOLVED] overheat robot_id=r-7 — 1 event, critical\n", body, StringComparison.Ordinal);
    }

    [SmtpFact]
    public async Task TestNotificationIsDeliveredOrSaysWhyNot()
    {
        var marker = $"t-{Guid.NewGuid():N}"[..12];
        var (host, port) = Smtp.Address;
        await using var test = TestChannels.Start(new()
        {
            ["ops"] = Mail(marker, host, port),
            ["down"] = Mail(marker, "127.0.0.1", ServerScript.FreePort()),
        });

        var ok = await test.Channels.TestAsync("ops", CancellationToken.None);
        var down = await test.Channels.TestAsync("down", CancellationToken.None);

        Assert.True(ok.Success, ok.Error);
        var mail = await Smtp.WaitForAsync(marker);
        Assert.Equal($"[{marker}] TEST: pipeline_test (1 event)", mail.Subject);
        Assert.False(down.Success);
        Assert.StartsWith("down: smtp 127.0.0.1:", down.Error, StringComparison.Ordinal);
        Assert.Contains("is unreachable (ConnectionRefused", down.Error, StringComparison.Ordinal);
    }
}
