using Pipeline.Ingest.Cli;

return await PipelineCommands.InvokeAsync(args, Console.Out, Console.Error, Console.In,
    new System.CommandLine.InvocationConfiguration { ProcessTerminationTimeout = null });
