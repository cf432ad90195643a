using FsCheck;
using FsCheck.Fluent;
using RotationEngine.Testing.Model;

namespace RotationEngine.Testing.Sealing;

/// <summary>One generated case of invariant 14: a family, a short history, one edit, one presentation.</summary>
internal sealed record SealingCase(ModelSettings Settings, bool Spa, bool Bound, int[] History, RecordEdit Edit, int Behind, int ClientChoice, int BindingChoice, int DelayMs)
{
    public override string ToString() =>
        $"{(Spa ? "spa" : "web")} family{(Bound ? " bound" : "")}, history [{string.Join(", ", History.Select(Describe))}], edit: {Edit}, "
        + $"then after {DelayMs} ms the token {Behind} behind the newest{(ClientChoice == 1 ? " by the other client" : "")}{(BindingChoice == 1 ? " with a wrong binding" : "")}; {Settings}";

    private static string Describe(int op) => op switch
    {
        < 0 => $"replay after {-op} ms",
        _ => $"rotate after {op} ms",
    };
}
