namespace Pipeline.Storage.Alerting;

/// <summary>How an e-mail channel secures its SMTP connection (<c>…:StartTls</c>).</summary>
public enum EmailTls
{
    /// <summary>TLS on connect for port 465, otherwise STARTTLS when the server offers it (MailKit's <c>Auto</c>).</summary>
    Auto,

    /// <summary>Plain SMTP, never TLS (a relay on loopback).</summary>
    None,

    /// <summary>STARTTLS required: a server that does not offer it fails the send.</summary>
    StartTls,

    /// <summary>STARTTLS when the server offers it, plain otherwise.</summary>
    StartTlsWhenAvailable,

    /// <summary>TLS from the first byte (SMTPS, port 465).</summary>
    SslOnConnect,
}
