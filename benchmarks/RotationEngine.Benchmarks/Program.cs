using BenchmarkDotNet.Running;
using RotationEngine.Benchmarks.Infrastructure;

if (args is ["--profile", var scenario, var seconds])
{
    return ProfileLoop.Run(scenario, int.Parse(seconds, System.Globalization.CultureInfo.InvariantCulture));
}

if (args is ["--paired", var rounds, .. var scenarios])
{
    foreach (var (name, (ns, ratio)) in PairedRatio.Measure(int.Parse(rounds, System.Globalization.CultureInfo.InvariantCulture), scenarios))
    {
        Console.WriteLine($"{name,-12} {ns,8:N0} ns  {ratio,5:F2} x CPU limit");
    }

    return 0;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
