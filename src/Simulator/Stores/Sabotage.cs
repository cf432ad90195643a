namespace Simulator.Stores;

/// <summary>A deliberately broken store, to prove the oracle catches what it claims to catch.</summary>
internal enum Sabotage
{
    None,

    /// <summary>Revocation reports success but changes nothing.</summary>
    NeverRevoke,

    /// <summary>A compare-and-swap that is not atomic: a writer that read the previous version also wins
    /// (a lost update), so two rotations of one generation both succeed.</summary>
    LostUpdate,
}

internal static class SabotageNames
{
    public static string Format(Sabotage sabotage) => sabotage switch
    {
        Sabotage.NeverRevoke => "never-revoke",
        Sabotage.LostUpdate => "lost-update",
        _ => "none",
    };

    public static Sabotage Parse(string text) => text switch
    {
        "none" => Sabotage.None,
        "never-revoke" => Sabotage.NeverRevoke,
        "lost-update" => Sabotage.LostUpdate,
        _ => throw new ArgumentException($"Unknown sabotage '{text}': use none, never-revoke or lost-update."),
    };
}
