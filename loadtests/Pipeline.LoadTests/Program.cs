using Pipeline.LoadTests.Cli;

return await LoadCommands.Create(Console.Out).Parse(args).InvokeAsync();
