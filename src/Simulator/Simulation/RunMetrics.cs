using RotationEngine;

namespace Simulator.Simulation;

/// <summary>The raw counts of one run, from which <see cref="Reports.PolicyReport"/> is computed.</summary>
internal sealed class RunMetrics
{
    /// <summary>Honest refresh invocations (each attempt, retries included).</summary>
    public long HonestRefreshes;

    public long HonestOk;

    public long HonestFailed;

    /// <summary>Honest invocations whose response never came (lost request or response).</summary>
    public long HonestUnknown;

    public long SignIns;

    /// <summary>Honest clients logged out of a family no attacker had touched, for a reason other than expiry.</summary>
    public long FalseLogouts;

    /// <summary>Honest clients logged out because a theft was detected on their family.</summary>
    public long TheftLogouts;

    /// <summary>Honest clients logged out by idle or absolute expiry.</summary>
    public long ExpiryLogouts;

    public long Thefts;

    public long TheftsUsed;

    public long TheftsDetected;

    public List<long> DetectionDelaysMs { get; } = [];

    public long AttackerAccessMs;

    public long AttackerRefreshes;

    /// <summary>Thieves' attempts with a forged string or under another client's id.</summary>
    public long ForgedAttempts;

    /// <summary>Store calls the engine made for forged strings: zero (invariant 12), counted to show it.</summary>
    public long ForgedStoreCalls;

    /// <summary>Every rotation the engine answered (honest, duplicate and attacker).</summary>
    public long ServerRequests;

    public long StoreOperations;

    public long Restarts;

    public long StoreFaults;

    /// <summary>Successful honest answers carrying an older generation than the client held: with a cookie jar
    /// they overwrite the newer token (a rollback); a newest-wins client ignores them.</summary>
    public long CookieRollbacks;

    /// <summary>Under a bound policy: DPoP proofs the clients and thieves made (sign-ins and refreshes).</summary>
    public long DPoPProofs;

    /// <summary>Under a bound policy: arrivals and sign-ins the DPoP binding source checked before the engine.</summary>
    public long DPoPChecks;

    /// <summary>Under a bound policy: arrivals whose proof the binding source refused (replays), the engine never called.</summary>
    public long DPoPRefusals;

    /// <summary>Under a bound policy: thieves with no key, presenting the stolen token without a proof.</summary>
    public long KeylessThieves;

    /// <summary>With a traffic log: distinct (session, UTC day) pairs seen, the user-days the rates are per.</summary>
    public long TrafficUserDays;

    /// <summary>With a traffic log: distinct sessions.</summary>
    public long TrafficSessions;

    /// <summary>Per simulated hour: honest refreshes, grace replays, logouts (any cause) and theft detections.</summary>
    public HourlySeries Hourly { get; } = new();

    public long[] Outcomes { get; } = new long[Enum.GetValues<RotationOutcome>().Length];

    public long[] Causes { get; } = new long[Enum.GetValues<OutcomeCause>().Length];

    public long GraceReplays => Outcomes[(int)RotationOutcome.GraceReplay];
}
