using Simulator.Cli;

try
{
    return await SimulatorCommand.RunAsync(CliOptions.Parse(args), Console.Out);
}
catch (ArgumentException error)
{
    Console.Error.WriteLine(error.Message);
    return 2;
}
