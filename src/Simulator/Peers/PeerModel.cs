using System.Globalization;
using Simulator.Scenarios;

namespace Simulator.Peers;

/// <summary>
/// How another system answers a refresh, as a simulator strategy: not an engine option (the engine's contract does
/// not change), but run through the same simulated clients, network and thieves as our policies. A model sees a
/// presented token that is known, of the right client, of a live grant and not expired (<see cref="PeerServer"/>
/// checks those alike for every peer) and decides: mint a child, mint a sibling, return an existing token, refuse,
/// or revoke the grant. Each subclass cites the source file or documentation page it follows.
/// </summary>
internal abstract class PeerModel
{
    /// <summary>The peers the <c>peer</c> field of a policy may name.</summary>
    public static IReadOnlyList<string> Names { get; } = ["openiddict", "hydra", "supabase", "keycloak", "strict", "no-rotation"];

    public static PeerModel Create(string peer, PolicySettings settings) => peer switch
    {
        "openiddict" => new OpenIddictPeer(Seconds(settings.PeerWindowSeconds ?? OpenIddictPeer.DefaultLeewaySeconds)),
        "hydra" => new HydraPeer(Seconds(settings.PeerWindowSeconds ?? HydraPeer.DefaultGraceSeconds), settings.PeerMaxReuse),
        "supabase" => new SupabasePeer(Seconds(settings.PeerWindowSeconds ?? SupabasePeer.DefaultReuseIntervalSeconds)),
        "keycloak" => new KeycloakPeer(settings.PeerMaxReuse ?? 0),
        "strict" => new StrictRotationPeer(),
        "no-rotation" => new NoRotationPeer(),
        _ => throw new ArgumentException($"Unknown peer '{peer}': use one of {string.Join(", ", Names)}."),
    };

    /// <summary>The six peers as rows of a comparison, with the lifetimes of <paramref name="basis"/> (so that only
    /// the answer to a replay differs from our policies).</summary>
    public static IReadOnlyList<PolicySettings> Standard(PolicySettings basis)
    {
        PolicySettings Row(string name, string peer, double? window = null, int? maxReuse = null)
        {
            var row = basis.Clone();
            row.Name = name;
            row.Peer = peer;
            row.PeerWindowSeconds = window;
            row.PeerMaxReuse = maxReuse;
            row.Binding = false;
            return row;
        }

        return
        [
            Row("openiddict-30s", "openiddict", OpenIddictPeer.DefaultLeewaySeconds),
            Row("hydra-10s", "hydra", 10),
            Row("supabase-10s", "supabase", SupabasePeer.DefaultReuseIntervalSeconds),
            Row("keycloak-reuse-0", "keycloak", maxReuse: 0),
            Row("strict-rotation", "strict"),
            Row("no-rotation", "no-rotation"),
        ];
    }

    /// <summary>Whether refreshing hands out a new token at all (false: the token is refreshed in place).</summary>
    public virtual bool Rotates => true;

    /// <summary>One line for the table's settings column.</summary>
    public abstract string Describe();

    /// <summary>Decides what to do with token <paramref name="token"/> of <paramref name="family"/> at <paramref name="now"/>
    /// (the serving instance's clock, Unix ms). The caller applies the decision.</summary>
    public abstract PeerDecision Present(PeerFamily family, int token, long now);

    protected static long Seconds(double seconds) => (long)Math.Round(seconds * 1000);

    protected static string Format(long ms) => (ms / 1000.0).ToString("0.###", CultureInfo.InvariantCulture) + "s";
}
