namespace Pipeline.Ingest.Dashboard;

/// <summary>One embedded dashboard file: its bytes, content type and ETag.</summary>
internal sealed record DashboardAsset(byte[] Bytes, string ContentType, string ETag);
