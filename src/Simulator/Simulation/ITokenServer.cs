using RotationEngine;
using Simulator.Core;
using Simulator.Oracle;

namespace Simulator.Simulation;

/// <summary>A server's answer to one refresh, as the client sees it (the token only in memory).</summary>
/// <param name="Refused">The DPoP proof was refused (<c>invalid_dpop_proof</c>) before the engine was called: the
/// outcome fields mean nothing and nothing changed.</param>
internal readonly record struct ServerAnswer(RotationOutcome Outcome, OutcomeCause Cause, int Generation, string? Token, bool Refused = false)
{
    /// <summary>The answer to a request whose proof the binding source refused.</summary>
    public static ServerAnswer ProofRefused => new(default, default, 0, null, Refused: true);

    public bool Succeeded => !Refused && Outcome is RotationOutcome.Rotated or RotationOutcome.GraceReplay;
}

/// <summary>A freshly signed-in family: the token handed out and the engine's id of the family (default for a peer).</summary>
internal readonly record struct IssuedFamily(string Token, FamilyId EngineId);

/// <summary>
/// What sits behind the <see cref="Network"/>: the engine under a policy (<see cref="EngineServer"/>) or a model of
/// how another system answers (<see cref="Peers.PeerServer"/>). Both are driven by the same clients, network and
/// thieves, record their answers in the history and report revocations through the family's model.
/// </summary>
internal interface ITokenServer : IDisposable
{
    int Instances { get; }

    /// <summary>Store calls made so far (0 for a peer model).</summary>
    long StoreOperations { get; }

    /// <summary>The instance's clock (Unix ms of virtual time plus its offset).</summary>
    long NowAt(int instance);

    /// <summary>Signs a client in; <paramref name="proof"/> is the sign-in's DPoP proof under a bound policy (else null).</summary>
    IssuedFamily Issue(int instance, string subject, string clientId, string? binding, string? proof);

    /// <summary>Answers one arrival of <paramref name="request"/>; null when nobody learns the outcome (a store fault).</summary>
    ServerAnswer? Serve(in Request request, FamilyModel family, int process, out InvariantViolation? violation);

    void Restart(int instance);

    /// <summary>A thief's forged variant of <paramref name="token"/>.</summary>
    string Forge(string token, ref Prng rng, out Forgery kind);
}
