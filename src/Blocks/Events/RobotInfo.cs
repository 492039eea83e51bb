using System.Text.Encodings.Web;
using System.Text.Json;

namespace Pipeline.Blocks.Events;

/// <summary>
/// A robot's metadata from the fleet registry. The JSON-escaped UTF-8 forms are computed once per
/// registry load so writing them per event is a copy.
/// </summary>
public sealed class RobotInfo
{
    public RobotInfo(string id, string name, string site, string model)
    {
        Id = id;
        Name = name;
        Site = site;
        Model = model;
        NameJson = Encode(name);
        SiteJson = Encode(site);
        ModelJson = Encode(model);
    }

    public string Id { get; }
    public string Name { get; }
    public string Site { get; }
    public string Model { get; }

    public byte[] NameJson { get; }
    public byte[] SiteJson { get; }
    public byte[] ModelJson { get; }

    private static byte[] Encode(string value) =>
        JsonEncodedText.Encode(value, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).EncodedUtf8Bytes.ToArray();
}
