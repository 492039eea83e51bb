using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;

namespace Pipeline.Ingest.Dashboard;

/// <summary>
/// The dashboard's files (<c>Dashboard/wwwroot</c>), embedded in the executable as manifest resources
/// and read once at start: serving one is a dictionary look-up and a write, with a content hash as
/// ETag so a browser revalidates them cheaply.
/// </summary>
internal sealed class DashboardAssets
{
    /// <summary>The manifest resource names' prefix (<c>LogicalName</c> in the project file).</summary>
    internal const string ResourcePrefix = "dashboard/";

    private readonly FrozenDictionary<string, DashboardAsset> _files;

    public DashboardAssets()
    {
        var assembly = typeof(DashboardAssets).Assembly;
        var files = new Dictionary<string, DashboardAsset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames())
        {
            if (name.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            {
                files[name[ResourcePrefix.Length..]] = Load(assembly, name);
            }
        }

        if (!files.ContainsKey("index.html"))
        {
            throw new InvalidOperationException("the dashboard's index.html is not embedded in the executable (Dashboard/wwwroot in Pipeline.Ingest.csproj).");
        }

        _files = files.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>The file names, as served under <c>/ui/</c>.</summary>
    public IEnumerable<string> Names => _files.Keys;

    public bool TryGet(string name, out DashboardAsset asset) => _files.TryGetValue(name, out asset!);

    private static DashboardAsset Load(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        var bytes = copy.ToArray();
        var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes), 0, 8) + "\"";
        return new DashboardAsset(bytes, ContentType(name), etag);
    }

    private static string ContentType(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        _ => "application/octet-stream",
    };
}
