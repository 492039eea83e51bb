using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Pipeline.Storage.Alerting.Internal;

namespace Pipeline.Storage.Alerting.Email;

/// <summary>
/// Sends the readable digest as a plain-text mail over SMTP (MailKit): one session per message
/// (connect, STARTTLS per <c>StartTls</c>, authenticate when <c>User</c> is set, send, quit), since
/// messages are a few per minute and a kept-open session would go stale between them. A refusal
/// fails with the server's reply code and text.
/// </summary>
internal sealed class EmailChannel : IAlertChannel
{
    private readonly AlertChannelOptions _options;
    private readonly TimeProvider _time;
    private readonly MailboxAddress _from;
    private readonly MailboxAddress[] _to;

    public EmailChannel(string name, AlertChannelOptions options, TimeProvider time)
    {
        Name = name;
        _options = options;
        _time = time;
        _from = MailboxAddress.Parse(options.From!);
        _to = [.. options.To.Select(MailboxAddress.Parse)];
        Destination = $"smtp {options.Host}:{options.Port}";
    }

    public string Name { get; }

    public string Destination { get; }

    public async Task SendAsync(AlertMessage message, CancellationToken cancellationToken)
    {
        var mail = new MimeMessage();
        mail.From.Add(_from);
        mail.To.AddRange(_to);
        mail.Subject = $"{_options.SubjectPrefix} {AlertText.Headline(message)}".Trim();
        mail.Date = _time.GetUtcNow();
        mail.Body = new TextPart("plain") { Text = AlertText.Body(message) };

        using var deadline = new CancellationTokenSource(_options.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        using var smtp = new SmtpClient { Timeout = (int)Math.Min(int.MaxValue, _options.Timeout.TotalMilliseconds) };
        try
        {
            await smtp.ConnectAsync(_options.Host!, _options.Port, Security(_options.StartTls), linked.Token).ConfigureAwait(false);
            if (_options.User is { Length: > 0 } user)
            {
                await smtp.AuthenticateAsync(user, _options.Password ?? "", linked.Token).ConfigureAwait(false);
            }

            await smtp.SendAsync(mail, linked.Token).ConfigureAwait(false);
            await smtp.DisconnectAsync(quit: true, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new AlertChannelException($"{Name}: {Destination} did not complete the mail within {_options.Timeout.TotalSeconds:0.###} s (Timeout).");
        }
        catch (Exception ex) when (Failure(ex) is { } failure)
        {
            throw new AlertChannelException($"{Name}: {Destination} {failure}", inner: ex);
        }
    }

    private static string? Failure(Exception ex) => ex switch
    {
        SmtpCommandException command => $"refused ({(int)command.StatusCode} {command.StatusCode}, {command.ErrorCode}): {command.Message}",
        AuthenticationException auth => $"refused the credentials of User: {auth.Message}",
        SmtpProtocolException protocol => $"broke the SMTP protocol: {protocol.Message}",
        SocketException socket => $"is unreachable ({socket.SocketErrorCode}: {socket.Message})",
        SslHandshakeException tls => $"failed the TLS handshake: {tls.Message}",
        NotSupportedException unsupported => $"does not support what StartTls asks: {unsupported.Message}",
        ServiceNotConnectedException or IOException or TimeoutException => $"dropped the connection ({ex.GetType().Name}: {ex.Message})",
        _ => null,
    };

    private static SecureSocketOptions Security(EmailTls tls) => tls switch
    {
        EmailTls.None => SecureSocketOptions.None,
        EmailTls.StartTls => SecureSocketOptions.StartTls,
        EmailTls.StartTlsWhenAvailable => SecureSocketOptions.StartTlsWhenAvailable,
        EmailTls.SslOnConnect => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.Auto,
    };

    public ValueTask DisposeAsync() => default;
}
