using RotationEngine.Testing.BrokenStores;

namespace Simulator.Stores;

/// <summary>A deliberately broken store, to prove the oracle catches what it claims to catch: the names of the
/// command line for three of the kit's <see cref="BrokenStore"/>s.</summary>
internal enum Sabotage
{
    None,

    /// <summary>Revocation reports success but changes nothing.</summary>
    NeverRevoke,

    /// <summary>A compare-and-swap that is not atomic: a writer that read the previous version also wins
    /// (a lost update), so two rotations of one generation both succeed.</summary>
    LostUpdate,

    /// <summary>The rotation's compare-and-swap leaves the client id out of its condition, so a token presented by
    /// another client rotates (the engine relies on the store's condition on its fast path).</summary>
    IgnoreClient,
}

internal static class SabotageNames
{
    public static string Format(Sabotage sabotage) => sabotage switch
    {
        Sabotage.NeverRevoke => "never-revoke",
        Sabotage.LostUpdate => "lost-update",
        Sabotage.IgnoreClient => "ignore-client",
        _ => "none",
    };

    /// <summary>The kit's broken store a sabotage runs on.</summary>
    public static StoreFlaw Flaw(Sabotage sabotage) => sabotage switch
    {
        Sabotage.NeverRevoke => StoreFlaw.ForgetfulRevocation,
        Sabotage.LostUpdate => StoreFlaw.LostUpdate,
        Sabotage.IgnoreClient => StoreFlaw.IgnoresClient,
        _ => throw new ArgumentOutOfRangeException(nameof(sabotage), sabotage, "Not a sabotage."),
    };

    public static Sabotage Parse(string text) => text switch
    {
        "none" => Sabotage.None,
        "never-revoke" => Sabotage.NeverRevoke,
        "lost-update" => Sabotage.LostUpdate,
        "ignore-client" => Sabotage.IgnoreClient,
        _ => throw new ArgumentException($"Unknown sabotage '{text}': use none, never-revoke, lost-update or ignore-client."),
    };
}
