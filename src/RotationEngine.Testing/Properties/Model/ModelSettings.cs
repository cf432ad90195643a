namespace RotationEngine.Testing.Model;

/// <summary>The generated configuration of one run: the policies of the two clients, retention, prune batch.
/// The engine under test and the model are both built from it.</summary>
internal sealed record ModelSettings
{
    public const string WebClient = "web";
    public const string SpaClient = "spa";
    public static readonly string[] Subjects = ["alice", "bob"];
    public static readonly string?[] Bindings = [null, "device-a"];
    public const string WrongBinding = "device-b";

    /// <summary>2026-01-01T00:00:00Z: every run starts here, so a replayed seed replays the same times.</summary>
    public const long Epoch = 1_767_225_600_000;

    public required RotationPolicy WebPolicy { get; init; }

    public required RotationPolicy SpaPolicy { get; init; }

    public required TimeSpan Retention { get; init; }

    public required int PruneBatchSize { get; init; }

    public RotationPolicy PolicyFor(string clientId) => clientId == SpaClient ? SpaPolicy : WebPolicy;

    public RotationEngineOptions ToOptions()
    {
        var options = new RotationEngineOptions
        {
            DefaultPolicy = WebPolicy,
            Retention = Retention,
            PruneBatchSize = PruneBatchSize,
        };
        options.ClientPolicies[SpaClient] = SpaPolicy;
        return options;
    }

    public override string ToString() =>
        $"web: {Describe(WebPolicy)}; spa: {Describe(SpaPolicy)}; retention {Retention.TotalMilliseconds} ms; prune batch {PruneBatchSize}";

    public static string Describe(RotationPolicy p) =>
        $"token {p.TokenLifetime.TotalMilliseconds} ms, family {p.FamilyLifetime.TotalMilliseconds} ms, grace {p.GraceWindow.TotalMilliseconds} ms depth {p.GraceDepth} max {p.GraceMaxReplays?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "∞"}, binding revokes {p.BindingMismatchRevokes}, max gen {p.MaxGenerations}";
}
