using Pipeline.Blocks.Metrics;
using Prometheus;

namespace Pipeline.Ingest.Robots;

/// <summary>The robot sessions' metrics, on the pipeline's registry.</summary>
internal sealed class RobotsMetrics
{
    public RobotsMetrics(PipelineMetrics metrics)
    {
        var factory = Prometheus.Metrics.WithCustomRegistry(metrics.Registry);
        Online = factory.CreateGauge("pipeline_robots_online", "Robots with at least one open session (several connections of one robot count once).");
        Sessions = factory.CreateCounter("pipeline_robot_sessions_total", "Robot sessions started (a robot coming online).");
        Offline = factory.CreateCounter("pipeline_robot_offline_total", "Robots going offline, by reason (the last connection's close reason, heartbeat_timeout).",
            new CounterConfiguration { LabelNames = ["reason"] });
        ControlMessages = factory.CreateCounter("pipeline_robot_control_messages_total", "Control messages from robots (hello, command_response); not log events.",
            new CounterConfiguration { LabelNames = ["type"] });
        Commands = factory.CreateCounter("pipeline_robot_commands_total",
            "Commands to robots by outcome (answered, failed, timeout, offline, no_command_session, session_ended, too_many, send_failed).",
            new CounterConfiguration { LabelNames = ["outcome"] });
        LateResponses = factory.CreateCounter("pipeline_robot_command_late_responses_total",
            "command_response messages whose command had already ended (past its deadline) or was never sent.");
        var buckets = new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.0005, 2, 20) };
        CommandSend = factory.CreateHistogram("pipeline_robot_command_send_seconds", "From the API request to the command written to the robot's socket.", buckets);
        CommandExecute = factory.CreateHistogram("pipeline_robot_command_execute_seconds", "From the command sent to the robot's command_response.", buckets);
        Forgotten = factory.CreateCounter("pipeline_robots_forgotten_total", "Offline robots forgotten to stay within Pipeline:Robots:MaxRobots.");
    }

    public Gauge Online { get; }
    public Counter Sessions { get; }
    public Counter Offline { get; }
    public Counter ControlMessages { get; }
    public Counter Commands { get; }
    public Counter LateResponses { get; }
    public Histogram CommandSend { get; }
    public Histogram CommandExecute { get; }
    public Counter Forgotten { get; }
}
