using Simulator.Cli;

var root = CommandLine.Create(async (options, _) =>
{
    try
    {
        return await SimulatorCommand.RunAsync(options, Console.Out);
    }
    catch (ArgumentException error)
    {
        // A scenario file or a value that only the run can check (an unknown policy, a bad field).
        await Console.Error.WriteLineAsync(error.Message);
        return 2;
    }
});
return await root.Parse(args).InvokeAsync();
