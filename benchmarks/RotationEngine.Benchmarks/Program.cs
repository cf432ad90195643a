using BenchmarkDotNet.Running;
using RotationEngine.Benchmarks.Infrastructure;

if (args is ["--profile", var scenario, var seconds])
{
    return ProfileLoop.Run(scenario, int.Parse(seconds, System.Globalization.CultureInfo.InvariantCulture));
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
