using Pipeline.Tests.Shared.Servers;

namespace Pipeline.RabbitMq.Tests.Infrastructure;

/// <summary>
/// A RabbitMQ node of one test's own (scripts/rabbitmq-test-server.sh in a temp directory), for
/// tests that stop, restart, stall or start it late. Stopped and deleted on dispose.
/// </summary>
public sealed class PrivateRabbitMq : IAsyncDisposable
{
    private static readonly ServerScript Script = new("rabbitmq");

    private PrivateRabbitMq(string directory, int port)
    {
        Directory = directory;
        Port = port;
    }

    public string Directory { get; }

    public int Port { get; }

    public string Uri => $"amqp://guest:guest@127.0.0.1:{Port}/";

    /// <summary>Prepares a node on a free port without starting it (for "the broker appears later").</summary>
    public static PrivateRabbitMq Reserve()
    {
        var directory = Path.Combine(Path.GetTempPath(), "pipeline-rabbitmq", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        return new PrivateRabbitMq(directory, FreePort());
    }

    public static async Task<PrivateRabbitMq> StartAsync()
    {
        var node = Reserve();
        await node.StartAgainAsync();
        return node;
    }

    /// <summary>Starts (or restarts, with the same data and ports) and returns when the node is up.</summary>
    public Task StartAgainAsync() => RunScriptAsync("start", Directory, Port.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>A clean stop that keeps the data (durable queues and persistent messages survive).</summary>
    public Task StopAsync() => RunScriptAsync("stop", Directory, "--keep");

    /// <summary>rabbitmqctl against the node.</summary>
    public Task CtlAsync(params string[] args) => RunScriptAsync(["ctl", Directory, .. args]);

    /// <summary>A memory alarm: the broker blocks every publishing connection (connection.blocked) until <see cref="UnstallAsync"/>.</summary>
    public Task StallAsync() => CtlAsync("set_vm_memory_high_watermark", "0.0000001");

    public Task UnstallAsync() => CtlAsync("set_vm_memory_high_watermark", "0.6");

    public async ValueTask DisposeAsync()
    {
        await RunScriptAsync("kill", Directory);
        await RunScriptAsync("stop", Directory);
    }

    private static int FreePort() => ServerScript.FreePort();

    private static Task RunScriptAsync(params string[] args) => Script.RunAsync(args);
}
