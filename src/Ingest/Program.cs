using System.CommandLine;
using Pipeline.Ingest.Cli;

var root = PipelineCommands.Create(Console.Out, Console.Error);
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
