namespace Pipeline.LoadTests.Dashboard;

/// <summary>What <c>pipeline-load dashboard-latency</c> does: the fleet it makes known and the requests it times.</summary>
internal sealed record DashboardPlan
{
    public required Uri Url { get; init; }

    public required string TcpHost { get; init; }

    public required int TcpPort { get; init; }

    public required int Robots { get; init; }

    public required int Connections { get; init; }

    public required int Requests { get; init; }

    public string? Token { get; init; }
}
