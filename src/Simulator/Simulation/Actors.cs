using RotationEngine;
using Simulator.Core;
using Simulator.Oracle;

namespace Simulator.Simulation;

/// <summary>One honest client of a user (a browser with tabs, a mobile app): its views, its session and the
/// refresh token it holds.</summary>
internal sealed class ClientState
{
    public required int Index { get; init; }

    /// <summary>Stable id (user × 16 + ordinal): the history's process id, unchanged when other users are dropped.</summary>
    public required int Key { get; init; }

    public required int User { get; init; }

    public required string Subject { get; init; }

    /// <summary>The OAuth client id the client authenticates as (every call to the engine passes it).</summary>
    public required string ClientId { get; init; }

    public required string Binding { get; init; }

    public required bool SingleFlight { get; init; }

    public required int FirstView { get; init; }

    public required int ViewCount { get; init; }

    /// <summary>A session of a traffic log: it refreshes when the log says, never on a timer, and never retries.</summary>
    public bool Traffic { get; init; }

    /// <summary>A traffic session's current burst and the token its requests present.</summary>
    public string? Burst;

    public string? BurstToken;

    public int BurstGeneration;

    public int BurstFamily = -1;

    /// <summary>The last UTC day (Unix ms / day) a traffic session was seen, for user-days.</summary>
    public long LastTrafficDay = -1;

    /// <summary>This client's own random stream (behaviour and its messages' network fate).</summary>
    public Prng Rng;

    public bool Active;

    public int Session;

    public long SessionEndsAt;

    /// <summary>The family the client is signed in to, or -1.</summary>
    public int Family = -1;

    public string? Token;

    public int Generation;

    /// <summary>The refresh in flight of a single-flight client, or -1.</summary>
    public int InFlight = -1;

    /// <summary>A single-flight client's shared access-token expiry.</summary>
    public long SharedAccessExpiry;
}

/// <summary>A user: a subject with one or more clients, and the theft process aimed at them.</summary>
internal sealed class UserState
{
    public required int Id { get; init; }

    public required int FirstClient { get; init; }

    public required int ClientCount { get; init; }

    public Prng TheftRng;

    public int TheftOrdinal;
}

internal enum ThiefStrategy
{
    Immediate,
    Delayed,
    Repeated,
    IdleVictim,
}

/// <summary>An attacker holding a stolen copy of a token.</summary>
internal sealed class ThiefState
{
    public required int Id { get; init; }

    public required int Victim { get; init; }

    public required int Family { get; init; }

    public required ThiefStrategy Strategy { get; init; }

    public required long StolenAt { get; init; }

    public required long GiveUpAt { get; init; }

    public required string StolenToken { get; init; }

    public required int StolenGeneration { get; init; }

    public required string Binding { get; init; }

    /// <summary>Under a bound policy: the thief has no key of its own and presents the stolen token without a DPoP
    /// proof (otherwise it signs proofs with its own key, <see cref="Binding"/>'s).</summary>
    public bool Keyless { get; init; }

    public Prng Rng;

    public string Token = "";

    public int Generation;

    public int RemainingRepeats;

    public bool InFlight;

    public bool Done;

    public bool Presented;

    public bool Detected;

    public long AccessUntil;
}

/// <summary>One refresh on the wire. Holds a token in memory only.</summary>
internal struct Request
{
    /// <summary>The client index, or the thief id for <see cref="FromThief"/>.</summary>
    public int Origin;

    public bool FromThief;

    /// <summary>The view that sent it, or -1 for a single-flight client's shared refresh.</summary>
    public int View;

    public int Family;

    public int Generation;

    public string? Token;

    /// <summary>The client id the request presents the token under.</summary>
    public string ClientId;

    /// <summary>Who holds the key the request proves (the oracle's ground truth), or null for none.</summary>
    public string? Binding;

    /// <summary>The request's DPoP proof under a bound policy (sent again as is by a duplicate), or null.</summary>
    public string? Proof;

    /// <summary>How many copies of the request reached a server so far (a duplicate's copy is the second).</summary>
    public int Arrivals;

    public int Instance;

    /// <summary>How a thief's request differs from an honest one (none for honest clients).</summary>
    public Forgery Forgery;

    /// <summary>The traffic log says the response never reached the client.</summary>
    public bool LoseResponse;

    /// <summary>The client has its answer or gave up waiting.</summary>
    public bool Done;

    /// <summary>Events still referring to this slot.</summary>
    public int Pending;

    public RotationOutcome Outcome;

    public OutcomeCause Cause;

    public int ResultGeneration;

    public string? ResultToken;

    /// <summary>The answer is <c>invalid_dpop_proof</c>: the binding source refused the proof (a replay), the engine was not called.</summary>
    public bool ProofRefused;
}
