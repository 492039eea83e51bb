using MimeKit;

namespace Pipeline.Channels.Tests.Infrastructure;

/// <summary>The aiosmtpd server that test.sh starts (scripts/smtp-test-server.sh): its address, and the mails it wrote to its Maildir.</summary>
public static class Smtp
{
    public const string AddressVariable = "PIPELINE_TEST_SMTP";
    public const string DirVariable = "PIPELINE_TEST_SMTP_DIR";

    public static string? AddressOrNull => Environment.GetEnvironmentVariable(AddressVariable);

    public static (string Host, int Port) Address
    {
        get
        {
            var address = AddressOrNull ?? throw new InvalidOperationException($"{AddressVariable} is not set.");
            var colon = address.LastIndexOf(':');
            return (address[..colon], int.Parse(address[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Every mail delivered so far (Maildir's <c>new/</c>; a file appears there only once complete).</summary>
    public static List<MimeMessage> Delivered()
    {
        var dir = Environment.GetEnvironmentVariable(DirVariable) ?? throw new InvalidOperationException($"{DirVariable} is not set.");
        var mails = new List<MimeMessage>();
        foreach (var file in Directory.GetFiles(Path.Combine(dir, "maildir", "new")))
        {
            mails.Add(MimeMessage.Load(file));
        }

        return mails;
    }

    /// <summary>The delivered mail whose subject contains <paramref name="marker"/>, watching the Maildir for it (an event per new file, not a poll loop).</summary>
    public static async Task<MimeMessage> WaitForAsync(string marker, TimeSpan? timeout = null)
    {
        var dir = Path.Combine(Environment.GetEnvironmentVariable(DirVariable)!, "maildir", "new");
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var watcher = new FileSystemWatcher(dir) { EnableRaisingEvents = true };
        watcher.Created += (_, _) => arrived.TrySetResult();
        watcher.Renamed += (_, _) => arrived.TrySetResult();
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            foreach (var mail in Delivered())
            {
                if (mail.Subject?.Contains(marker, StringComparison.Ordinal) == true)
                {
                    return mail;
                }
            }

            await arrived.Task.WaitAsync(cancel.Token);
            arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }
}
