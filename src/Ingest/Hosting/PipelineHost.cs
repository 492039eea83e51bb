using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pipeline.Blocks.Alerts;
using Pipeline.Blocks.DeadLetters;
using Pipeline.Blocks.Enrich;
using Pipeline.Blocks.Events;
using Pipeline.Blocks.Graph;
using Pipeline.Blocks.Hosting;
using Pipeline.Blocks.Metrics;
using Pipeline.Blocks.Parse;
using Pipeline.Blocks.PatternMine;
using Pipeline.Blocks.Redact;
using Pipeline.Ingest.Auth;
using Pipeline.Ingest.Configuration;
using Pipeline.Ingest.Dashboard;
using Pipeline.Ingest.Framing;
using Pipeline.Ingest.Http;
using Pipeline.Ingest.Robots;
using Pipeline.Ingest.Tail;
using Pipeline.Storage.Acks;
using Pipeline.Ingest.Tcp;
using Pipeline.Ingest.WebSockets;
using Pipeline.Storage.Alerting;
using Pipeline.Storage.ClickHouse;
using Pipeline.Storage.DeadLetters;
using Pipeline.Storage.Files;
using Pipeline.Storage.RabbitMq;

namespace Pipeline.Ingest.Hosting;

/// <summary>Builds the service: configuration, the graph and its sinks, Kestrel's listeners, the HTTP surface.</summary>
public static class PipelineHost
{
    /// <summary>Bytes a connection may buffer beyond <c>MaxLineBytes</c> before its reads pause.</summary>
    internal const int TransportMargin = 64 * 1024;

    /// <summary>
    /// Builds the host. Configuration: appsettings.json, then <paramref name="configFile"/>, then
    /// environment variables, then <paramref name="args"/> (<c>--Pipeline:DataDir=…</c>).
    /// Throws <see cref="ConfigurationException"/> naming every bad key.
    /// </summary>
    public static WebApplication Build(string[] args, string? configFile = null, Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args });
        if (configFile is not null)
        {
            builder.Configuration.AddJsonFile(Path.GetFullPath(configFile), optional: false, reloadOnChange: false);
            builder.Configuration.AddEnvironmentVariables();
            builder.Configuration.AddCommandLine(args);
        }

        var errors = new List<string>();
        var settings = PipelineSettings.Load(builder.Configuration, errors);
        if (errors.Count > 0)
        {
            throw new ConfigurationException(errors);
        }

        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        AddPipeline(builder.Services, settings);
        configureServices?.Invoke(builder.Services);

        var endpoints = new BoundEndpoints();
        builder.Services.AddSingleton(endpoints);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            var url = new Uri(settings.Ingest.HttpUrl);
            EndpointParser.TryParse($"{url.Host}:{url.Port}", out var http);
            // Validation loaded the certificate (and refused https or Tls:Tcp without one).
            var tls = settings.Ingest.Tls;
            kestrel.Listen(http, listen =>
            {
                if (settings.Ingest.IsHttps)
                {
                    listen.UseHttps(tls.Certificate!);
                }

                endpoints.HttpListener = listen;
            });
            EndpointParser.TryParse(settings.Ingest.TcpEndpoint, out var tcp);
            kestrel.Listen(tcp, listen =>
            {
                if (tls.Tcp)
                {
                    TcpTls.UseTls(listen, tls.Certificate!);
                }

                listen.UseConnectionHandler<TcpIngestHandler>();
                endpoints.TcpListener = listen;
            });
        });
        builder.WebHost.UseUrls(); // the listeners above are the only ones

        // A connection's transport stops reading at MaxReadBufferSize unconsumed bytes. It must exceed
        // MaxLineBytes, or a line over the limit could stall at the pause point before the framer sees
        // it is too long; the margin keeps the per-connection worst case close to MaxLineBytes.
        builder.WebHost.UseSockets(o => o.MaxReadBufferSize = settings.Ingest.MaxLineBytes + TransportMargin);

        var app = builder.Build();
        var startup = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Pipeline.Configuration");
        foreach (var warning in settings.Warnings)
        {
            ConfigurationLog.Deprecated(startup, warning);
        }

        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
        if (settings.Auth.OpsAuthEnabled)
        {
            app.UseMiddleware<OpsAuthMiddleware>();
        }

        app.Map("/ingest", (Microsoft.AspNetCore.Http.HttpContext context, WebSocketIngestEndpoint endpoint) => endpoint.HandleAsync(context));
        HealthEndpoints.Map(app);
        PatternEndpoints.Map(app);
        AlertEndpoints.Map(app);
        RobotEndpoints.Map(app);
        DashboardEndpoints.Map(app);
        TailEndpoints.Map(app);
        return app;
    }

    private static void AddPipeline(IServiceCollection services, PipelineSettings settings)
    {
        services.AddSingleton(settings);
        services.AddSingleton(settings.Ingest);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<PipelineMetrics>();
        services.AddAuth(settings.Auth);
        services.AddSingleton(_ => new EventBatchPool(new EventBatchPoolOptions
        {
            // A full batch plus what the blocks append (attributes, redacted values) fits when retained.
            MaxRetainedBytes = Math.Max(settings.Ingest.BatchMaxBytes * 4, 1024 * 1024),
        }));
        services.AddSingleton(sp => new DeadLetterWriter(settings.DeadLetterDirectory, settings.DeadLetter,
            sp.GetRequiredService<PipelineMetrics>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("Pipeline.DeadLetter")));
        services.AddSingleton<IDeadLetterSink>(sp => sp.GetRequiredService<DeadLetterWriter>());

        // The graph: each block and sink registers itself; GraphStage and LifecycleStage hold the order.
        services.AddParseBlock(settings.Parse, settings.Blocks.Parse);
        services.AddRedactBlock(settings.Redact, settings.Blocks.Redact);
        services.AddEnrichBlock(settings.Enrich, settings.Blocks.Enrich);
        services.AddPatternMineBlock(settings.PatternMine, settings.PatternsDirectory, settings.Blocks.PatternMine);
        services.AddAcks(settings.Acks, settings.Files.Enabled, settings.AcksDirectory, settings.FilesDirectory);
        services.AddFilesSink(settings.Files, settings.FilesDirectory);
        services.AddClickHouseSink(settings.ClickHouse, settings.ClickHouseSpoolDirectory, settings.PatternMine.Enabled);
        services.AddRabbitMqSink(settings.RabbitMq, settings.Routes, settings.RabbitMqSpoolDirectory);
        // Needs an IAlertNotifier (the notification channels) when a rule or a route with Channels is configured.
        services.AddAlertChannels(settings.AlertChannels);
        services.AddAlerts(settings.Alerts, settings.Routes, settings.Blocks.Alerts, settings.AlertsDirectory);
        services.AddRobots(settings.Robots, settings.Blocks.Robots, settings.RobotsDirectory, settings.Enrich.NodeName);
        services.AddTail(settings.Tail);
        services.AddPipelineGraph(settings.Blocks.FanOut);
        services.AddDashboard();
        if (settings.PatternMine.Enabled)
        {
            services.AddSingleton<PatternSnapshotService>();
            services.AddLifecycle<PatternSnapshotService>();
        }

        services.AddSingleton(sp => new IngestContext(
            sp.GetRequiredService<PipelineGraph>(),
            sp.GetRequiredService<EventBatchPool>(),
            settings.Ingest,
            sp.GetRequiredService<PipelineMetrics>(),
            sp.GetRequiredService<IDeadLetterSink>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IHostApplicationLifetime>(),
            settings.Enrich.NodeName)
        {
            Sessions = sp.GetService<ISessionObserver>(),
            Acks = new Acks.AckIngest(sp.GetService<AckRegistry>(), sp.GetService<AckMetrics>(), sp.GetService<InternalEventQueue>(),
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger("Pipeline.Acks")),
        });
        services.AddSingleton<WebSocketIngestEndpoint>();
        services.AddSingleton<GraphService>();
        services.AddLifecycle<GraphService>();
        if (settings.PatternMine.Enabled && settings.PatternMine.Anomalies.Enabled)
        {
            services.AddSingleton<PatternAnomalyService>();
            services.AddLifecycle<PatternAnomalyService>();
        }

        // The one hosted service of the pipeline: it starts and stops the components above in LifecycleStage order.
        services.AddSingleton<PipelineLifecycle>();
        services.AddHostedService(sp => sp.GetRequiredService<PipelineLifecycle>());
    }
}
