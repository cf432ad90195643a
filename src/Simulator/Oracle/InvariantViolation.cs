namespace Simulator.Oracle;

/// <summary>A broken invariant of docs/semantics.md §7 (0 stands for a disagreement with the §5–§6 reference model).</summary>
internal sealed record InvariantViolation(int Invariant, string Detail, long Time, int Family)
{
    public static string NameOf(int invariant) => invariant switch
    {
        1 => "1 single lineage",
        2 => "2 revocation is final",
        3 => "3 reuse is detected",
        4 => "4 grace is idempotent and bounded",
        5 => "5 expiry holds",
        6 => "6 forgery is harmless",
        11 => "11 generations only grow",
        12 => "12 forgery is free",
        13 => "13 client-bound",
        _ => "outcome differs from the reference model (§5)",
    };

    public override string ToString() => $"invariant {NameOf(Invariant)}: {Detail}";
}
