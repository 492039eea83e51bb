using System.Net;

namespace Pipeline.Ingest.Configuration;

/// <summary>Reads <c>host:port</c> (<c>127.0.0.1:5140</c>, <c>[::1]:5140</c>, <c>localhost:5140</c>, <c>0.0.0.0:5140</c>).</summary>
internal static class EndpointParser
{
    public static bool TryParse(string? text, out IPEndPoint endpoint)
    {
        endpoint = null!;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), out var port) || port is < 0 or > 65535)
        {
            return false;
        }

        var host = text[..colon].Trim('[', ']');
        IPAddress? address;
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            address = IPAddress.Loopback;
        }
        else if (host is "*" or "+")
        {
            address = IPAddress.Any;
        }
        else if (!IPAddress.TryParse(host, out address))
        {
            return false;
        }

        endpoint = new IPEndPoint(address, port);
        return true;
    }
}
