using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Simulator.Scenarios;

/// <summary>A scenario file: who uses the system, over what network, who attacks it, for how long, and
/// which policies to compare. Durations carry their unit in their name.</summary>
internal sealed class Scenario
{
    public string Name { get; set; } = "custom";

    public string Description { get; set; } = "";

    public double DurationDays { get; set; } = 7;

    public PopulationSettings Population { get; set; } = new();

    public NetworkSettings Network { get; set; } = new();

    public AttackerSettings Attackers { get; set; } = new();

    public ServerSettings Servers { get; set; } = new();

    public List<PolicySettings> Policies { get; set; } = [];

    public long DurationMs => (long)(DurationDays * 86_400_000);

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>The names of the scenarios shipped in <c>scenarios/</c> (embedded in the tool).</summary>
    public static IReadOnlyList<string> BuiltInNames { get; } = typeof(Scenario).Assembly.GetManifestResourceNames()
        .Where(name => name.StartsWith("scenarios/", StringComparison.Ordinal))
        .Select(name => Path.GetFileNameWithoutExtension(name["scenarios/".Length..]))
        .Order(StringComparer.Ordinal)
        .ToList();

    /// <summary>Loads a shipped scenario by name, or a JSON file by path.</summary>
    public static Scenario Load(string nameOrPath)
    {
        string json;
        if (File.Exists(nameOrPath))
        {
            json = File.ReadAllText(nameOrPath);
        }
        else
        {
            using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"scenarios/{nameOrPath}.json")
                ?? throw new ArgumentException($"No scenario '{nameOrPath}': give a file path or one of {string.Join(", ", BuiltInNames)}.");
            using var reader = new StreamReader(stream);
            json = reader.ReadToEnd();
        }

        var scenario = JsonSerializer.Deserialize<Scenario>(json, Json) ?? throw new ArgumentException($"Scenario '{nameOrPath}' is empty.");
        scenario.Validate();
        return scenario;
    }

    public Scenario Clone() => JsonSerializer.Deserialize<Scenario>(JsonSerializer.Serialize(this, Json), Json)!;

    public void Validate()
    {
        var errors = new List<string>();
        void Check(bool ok, string message)
        {
            if (!ok)
            {
                errors.Add(message);
            }
        }

        Check(DurationDays > 0 && DurationDays <= 3650, "durationDays must be in (0, 3650].");
        Check(Population.Users is >= 1 and <= 10_000_000, "population.users must be from 1 to 10,000,000.");
        Check(Population.ClientsPerUserMin >= 1 && Population.ClientsPerUserMax >= Population.ClientsPerUserMin && Population.ClientsPerUserMax <= 16, "population.clientsPerUser must satisfy 1 <= min <= max <= 16.");
        Check(Population.ViewsPerClientMin >= 1 && Population.ViewsPerClientMax >= Population.ViewsPerClientMin && Population.ViewsPerClientMax <= 64, "population.viewsPerClient must satisfy 1 <= min <= max <= 64.");
        Check(Population.AccessTokenLifetimeSeconds >= 1, "population.accessTokenLifetimeSeconds must be at least 1.");
        Check(Population.SessionHoursMin > 0 && Population.SessionHoursMax >= Population.SessionHoursMin, "population.sessionHours must satisfy 0 < min <= max.");
        Check(Population.IdleHoursMin >= 0 && Population.IdleHoursMax >= Population.IdleHoursMin, "population.idleHours must satisfy 0 <= min <= max.");
        Check(Population.ClientTimeoutMs >= 1 && Population.RetryDelayMs >= 1, "population.clientTimeoutMs and retryDelayMs must be positive.");
        Check(Network.LatencyMedianMs >= 0 && Network.LatencySigma >= 0, "network latency must not be negative.");
        foreach (var (name, rate) in new[] { ("requestLossRate", Network.RequestLossRate), ("responseLossRate", Network.ResponseLossRate), ("duplicateRate", Network.DuplicateRate), ("reorderRate", Network.ReorderRate), ("population.singleFlightShare", Population.SingleFlightShare), ("attackers.forgeryShare", Attackers.ForgeryShare) })
        {
            Check(rate is >= 0 and <= 1, $"{name} must be from 0 to 1.");
        }

        Check(Attackers.TheftsPerThousandUserDays >= 0, "attackers.theftsPerThousandUserDays must not be negative.");
        Check(Attackers.Strategies.Values.All(w => w >= 0), "attackers.strategies weights must not be negative.");
        Check(Servers.Instances is >= 1 and <= 64, "servers.instances must be from 1 to 64.");
        Check(Servers.RestartsPerDay >= 0 && Servers.MaxClockOffsetMs >= 0, "servers.restartsPerDay and maxClockOffsetMs must not be negative.");
        Check(Population.TokenStore is "cookieJar" or "newest", "population.tokenStore must be cookieJar or newest.");
        Check(Policies.Count >= 1, "policies must list at least one policy.");
        Check(Policies.Select(p => p.Name).Distinct(StringComparer.Ordinal).Count() == Policies.Count, "policy names must be unique.");
        foreach (var policy in Policies)
        {
            errors.AddRange(policy.ToRotationPolicy().Validate($"policies[{policy.Name}]"));
            if (policy.Peer is not null && !Peers.PeerModel.Names.Contains(policy.Peer, StringComparer.Ordinal))
            {
                errors.Add($"policies[{policy.Name}].peer '{policy.Peer}' is not one of {string.Join(", ", Peers.PeerModel.Names)}.");
            }

            if (policy.PeerWindowSeconds is < 0 || policy.PeerMaxReuse is < 0)
            {
                errors.Add($"policies[{policy.Name}]: peerWindowSeconds and peerMaxReuse must not be negative.");
            }
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException($"Scenario '{Name}' is invalid:{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", errors));
        }
    }
}

internal sealed class PopulationSettings
{
    public int Users { get; set; } = 1000;

    public int ClientsPerUserMin { get; set; } = 1;

    public int ClientsPerUserMax { get; set; } = 1;

    public int ViewsPerClientMin { get; set; } = 1;

    public int ViewsPerClientMax { get; set; } = 3;

    /// <summary>Share of clients that serialise refreshes client-side (one in flight, views share the result).</summary>
    public double SingleFlightShare { get; set; } = 0.5;

    /// <summary>Where a client keeps its refresh token: <c>cookieJar</c> (a browser's cookie: every successful
    /// response overwrites it in arrival order, so a slow grace replay can put an older token back over a newer
    /// one) or <c>newest</c> (a client that keeps the newest generation it was given).</summary>
    public string TokenStore { get; set; } = "cookieJar";

    public double AccessTokenLifetimeSeconds { get; set; } = 300;

    /// <summary>Each view refreshes at its access token's expiry plus a uniform jitter up to this.</summary>
    public double RefreshJitterMs { get; set; } = 2000;

    public double SessionHoursMin { get; set; } = 1;

    public double SessionHoursMax { get; set; } = 4;

    public double IdleHoursMin { get; set; } = 4;

    public double IdleHoursMax { get; set; } = 24;

    /// <summary>How long a client waits for a response before it gives up on it (the outcome is then unknown).</summary>
    public double ClientTimeoutMs { get; set; } = 5000;

    /// <summary>How long a client waits after a timeout before it refreshes again.</summary>
    public double RetryDelayMs { get; set; } = 1000;

    /// <summary>How long a logged-out user takes to sign in again (while the session lasts).</summary>
    public double ReloginDelaySeconds { get; set; } = 60;
}

internal sealed class NetworkSettings
{
    public double LatencyMedianMs { get; set; } = 40;

    /// <summary>Shape of the log-normal latency (0 = constant).</summary>
    public double LatencySigma { get; set; } = 0.5;

    public double RequestLossRate { get; set; }

    /// <summary>The server handled the request but the client never hears back.</summary>
    public double ResponseLossRate { get; set; }

    /// <summary>The request reaches the server twice (a proxy retry); the second answer goes nowhere.</summary>
    public double DuplicateRate { get; set; }

    /// <summary>Share of messages held back by up to <see cref="ReorderDelayMs"/>, overtaking others.</summary>
    public double ReorderRate { get; set; }

    public double ReorderDelayMs { get; set; } = 2000;
}

internal sealed class AttackerSettings
{
    public double TheftsPerThousandUserDays { get; set; }

    /// <summary>Weights of the strategies: immediate, delayed, repeated, idleVictim.</summary>
    public Dictionary<string, double> Strategies { get; set; } = new(StringComparer.OrdinalIgnoreCase) { ["immediate"] = 1, ["delayed"] = 1, ["repeated"] = 1, ["idleVictim"] = 1 };

    public double DelayHoursMax { get; set; } = 12;

    public int RepeatCount { get; set; } = 6;

    public double RepeatIntervalSeconds { get; set; } = 5;

    /// <summary>A thief stops after this long, working token or not.</summary>
    public double GiveUpHours { get; set; } = 72;

    /// <summary>Share of a thief's attempts made with a forged token (tampered secret or generation).</summary>
    public double ForgeryShare { get; set; } = 0.05;
}

internal sealed class ServerSettings
{
    public int Instances { get; set; } = 1;

    /// <summary>Each instance's clock is off by a uniform amount in [-this, +this].</summary>
    public double MaxClockOffsetMs { get; set; }

    /// <summary>Restarts per instance per day: the engine is rebuilt from the store alone.</summary>
    public double RestartsPerDay { get; set; }
}

internal sealed class PolicySettings
{
    public string Name { get; set; } = "default";

    public double GraceWindowSeconds { get; set; } = 10;

    public int GraceDepth { get; set; } = 1;

    public int? GraceMaxReplays { get; set; }

    /// <summary>Bind families to the client's DPoP key: every sign-in and refresh carries a real proof checked by the
    /// shipped binding source (<see cref="Simulation.DPoPWire"/>); a thief cannot present the binding.</summary>
    public bool Binding { get; set; }

    public bool BindingMismatchRevokes { get; set; } = true;

    public double TokenLifetimeHours { get; set; } = 14 * 24;

    public double FamilyLifetimeDays { get; set; } = 90;

    /// <summary>Null for one of our policies; otherwise the peer strategy this row models (see
    /// <see cref="Peers.PeerModel"/>: openiddict, hydra, supabase, keycloak, strict, no-rotation). The grace
    /// settings above are then unused; the lifetimes apply.</summary>
    public string? Peer { get; set; }

    /// <summary>A peer's window in seconds: OpenIddict's reuse leeway, Hydra's grace period, Supabase's reuse interval.</summary>
    public double? PeerWindowSeconds { get; set; }

    /// <summary>A peer's reuse count: Hydra's grace reuse count (null: unlimited), Keycloak's refreshTokenMaxReuse.</summary>
    public int? PeerMaxReuse { get; set; }

    public PolicySettings Clone() => (PolicySettings)MemberwiseClone();

    public RotationEngine.RotationPolicy ToRotationPolicy() => new()
    {
        GraceWindow = TimeSpan.FromMilliseconds(Math.Round(GraceWindowSeconds * 1000)),
        GraceDepth = GraceDepth,
        GraceMaxReplays = GraceMaxReplays,
        BindingMismatchRevokes = BindingMismatchRevokes,
        TokenLifetime = TimeSpan.FromMilliseconds(Math.Round(TokenLifetimeHours * 3_600_000)),
        FamilyLifetime = TimeSpan.FromMilliseconds(Math.Round(FamilyLifetimeDays * 86_400_000)),
    };

    public string Describe() => Peer is not null ? Peers.PeerModel.Create(Peer, this).Describe() : string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"grace {GraceWindowSeconds}s depth {GraceDepth} replays {(GraceMaxReplays?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unlimited")}{(Binding ? " bound" : "")}");
}
