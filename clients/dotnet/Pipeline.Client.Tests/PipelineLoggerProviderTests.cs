using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pipeline.Client.Logging;
using Pipeline.Client.Tests.Infrastructure;

namespace Pipeline.Client.Tests;

public sealed class PipelineLoggerProviderTests
{
    [Fact]
    public async Task ALogEntryArrivesWithItsLevelMessageCategoryStateScopesAndTrace()
    {
        await using var service = await PipelineService.StartAsync();
        var options = TestClients.Options(service.Ports.WebSocket);
        ActivityTraceId traceId;
        ActivitySpanId spanId;
        await using (var client = new PipelineClient(options))
        {
            using (var factory = LoggerFactory.Create(b => b.AddPipeline(client).SetMinimumLevel(LogLevel.Trace)))
            {
                var logger = factory.CreateLogger("Robot.Navigation");
                using var activity = new Activity("dock").SetIdFormat(ActivityIdFormat.W3C).Start();
                traceId = activity.TraceId;
                spanId = activity.SpanId;
                using (logger.BeginScope(new Dictionary<string, object?> { ["mission"] = "m-7" }))
                using (logger.BeginScope("docking"))
                {
                    logger.LogWarning(new EventId(42, "BatteryLow"), "Battery at {Battery} percent on {Dock}", 14.5, "dock-2");
                }
            }

            await client.FlushAsync(TestClients.Deadline);
        }

        await service.StopAsync();
        var e = Assert.Single(LogFiles.ReadBoot(service.LogsDir, options.BootId));
        var attrs = e.GetProperty("attrs");
        Assert.Equal("WARNING", e.GetProperty("level").GetString());
        Assert.Equal("Battery at 14.5 percent on dock-2", e.GetProperty("msg").GetString());
        Assert.Equal("log", e.GetProperty("type").GetString());
        Assert.Equal(traceId.ToHexString(), e.GetProperty("trace_id").GetString());
        Assert.Equal(spanId.ToHexString(), e.GetProperty("span_id").GetString());
        Assert.Equal("Robot.Navigation", attrs.GetProperty("category").GetString());
        Assert.Equal(14.5, attrs.GetProperty("Battery").GetDouble());
        Assert.Equal("dock-2", attrs.GetProperty("Dock").GetString());
        Assert.Equal("Battery at {Battery} percent on {Dock}", attrs.GetProperty("message_template").GetString());
        Assert.Equal(42, attrs.GetProperty("event_id").GetInt32());
        Assert.Equal("BatteryLow", attrs.GetProperty("event_name").GetString());
        Assert.Equal("m-7", attrs.GetProperty("mission").GetString());
        Assert.Equal("docking", Assert.Single(attrs.GetProperty("scopes").EnumerateArray()).GetString());
    }

    [Fact]
    public async Task AnExceptionArrivesWithItsTypeMessageStackTraceAndInnerException()
    {
        await using var service = await PipelineService.StartAsync();
        var options = TestClients.Options(service.Ports.TcpUri);
        await using (var client = new PipelineClient(options))
        {
            using (var factory = LoggerFactory.Create(b => b.AddPipeline(client)))
            {
                try
                {
                    Stall();
                }
                catch (InvalidOperationException ex)
                {
                    factory.CreateLogger("Robot.Motors").LogError(ex, "Motor {Motor} failed", 3);
                }
            }

            await client.FlushAsync(TestClients.Deadline);
        }

        await service.StopAsync();
        var e = Assert.Single(LogFiles.ReadBoot(service.LogsDir, options.BootId));
        Assert.Equal("ERROR", e.GetProperty("level").GetString());
        var exception = e.GetProperty("attrs").GetProperty("exception");
        Assert.Equal("System.InvalidOperationException", exception.GetProperty("type").GetString());
        Assert.Equal("motor stalled", exception.GetProperty("message").GetString());
        Assert.Contains(nameof(Stall), exception.GetProperty("stack_trace").GetString(), StringComparison.Ordinal);
        Assert.Equal("System.TimeoutException", exception.GetProperty("inner").GetProperty("type").GetString());
    }

    [Fact]
    public async Task EveryLogLevelMapsToAPipelineLevel()
    {
        await using var service = await PipelineService.StartAsync();
        var options = TestClients.Options(service.Ports.WebSocket);
        await using (var client = new PipelineClient(options))
        {
            using (var factory = LoggerFactory.Create(b => b.AddPipeline(client).SetMinimumLevel(LogLevel.Trace)))
            {
                var logger = factory.CreateLogger("levels");
                foreach (var level in new[] { LogLevel.Trace, LogLevel.Debug, LogLevel.Information, LogLevel.Warning, LogLevel.Error, LogLevel.Critical })
                {
                    logger.Log(level, "at {Level}", level);
                }
            }

            await client.FlushAsync(TestClients.Deadline);
        }

        await service.StopAsync();
        var levels = LogFiles.ReadBoot(service.LogsDir, options.BootId).Select(e => e.GetProperty("level").GetString()).ToArray();
        Assert.Equal(new string?[] { "DEBUG", "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL" }, levels);
    }

    [Fact]
    public async Task AddPipelineWithOptionsRegistersAClientTheAppCanFlushAndTheContainerCloses()
    {
        await using var service = await PipelineService.StartAsync();
        var bootId = Guid.NewGuid().ToString();
        var services = new ServiceCollection()
            .AddLogging(b => b.AddPipeline(o =>
            {
                o.Uri = service.Ports.WebSocket;
                o.RobotId = "r-di";
                o.BootId = bootId;
            }, l => l.EventType = "app_log"))
            .BuildServiceProvider();
        await using (services)
        {
            services.GetRequiredService<ILogger<PipelineLoggerProviderTests>>().LogInformation("started");
            await services.GetRequiredService<PipelineClient>().FlushAsync(TestClients.Deadline);
        }

        Assert.Throws<ObjectDisposedException>(() => services.GetRequiredService<PipelineClient>());
        await service.StopAsync();
        var e = Assert.Single(LogFiles.ReadBoot(service.LogsDir, bootId));
        Assert.Equal("app_log", e.GetProperty("type").GetString());
        Assert.Equal("r-di", e.GetProperty("robot_id").GetString());
        Assert.Equal(typeof(PipelineLoggerProviderTests).FullName, e.GetProperty("attrs").GetProperty("category").GetString());
    }

    [Fact]
    public void AddPipelineRejectsBadOptionsAtOnceNamingTheSetting()
    {
        var error = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddLogging(b => b.AddPipeline(o => o.RobotId = "")));
        Assert.Contains("PipelineClientOptions.RobotId", error.Message, StringComparison.Ordinal);
    }

    private static void Stall()
    {
        try
        {
            throw new TimeoutException("no answer from the motor controller");
        }
        catch (TimeoutException inner)
        {
            throw new InvalidOperationException("motor stalled", inner);
        }
    }

}
