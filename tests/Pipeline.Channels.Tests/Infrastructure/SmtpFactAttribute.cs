namespace Pipeline.Channels.Tests.Infrastructure;

/// <summary>A test against the real SMTP server that test.sh starts; skipped, saying why, only when its address is not set.</summary>
public sealed class SmtpFactAttribute : FactAttribute
{
    public SmtpFactAttribute()
    {
        if (string.IsNullOrEmpty(Smtp.AddressOrNull))
        {
            Skip = $"{Smtp.AddressVariable} is not set: run ./test.sh, which starts an SMTP server (scripts/smtp-test-server.sh) for the tests.";
        }
    }
}
