namespace RotationEngine;

/// <summary>Configures a <see cref="RefreshTokenEngine"/>. Validated when the engine is built.</summary>
public sealed class RotationEngineOptions
{
    /// <summary>The policy of every client that has no entry in <see cref="ClientPolicies"/>.</summary>
    public RotationPolicy DefaultPolicy { get; set; } = new();

    /// <summary>Per-client policies by client id (ordinal). A common pattern is
    /// <c>options.ClientPolicies["spa"] = options.DefaultPolicy with { GraceDepth = 2 };</c>.</summary>
    public IDictionary<string, RotationPolicy> ClientPolicies { get; } = new Dictionary<string, RotationPolicy>(StringComparer.Ordinal);

    /// <summary>How long revoked or expired families are kept (for audit and for reporting
    /// <see cref="RotationOutcome.Revoked"/> rather than <see cref="RotationOutcome.Invalid"/>) before
    /// <see cref="RefreshTokenEngine.PruneAsync"/> deletes them. Default 7 days; 0 to 3,650 days.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How many families one prune statement deletes at most. Default 1,000; 1 to 100,000.</summary>
    public int PruneBatchSize { get; set; } = 1_000;

    /// <summary>Server keys as id and base64 secret (at least 32 bytes). Ignored when the host registers its own
    /// <see cref="Keys.IKeyRing"/>. When empty and no ring is registered, the engine refuses to start unless
    /// <see cref="AllowEphemeralKey"/> is set or the host environment is <c>Development</c>.</summary>
    public IList<KeyOptions> Keys { get; } = new List<KeyOptions>();

    /// <summary>The id of the key new families are issued under; default: the last entry of <see cref="Keys"/>.</summary>
    public string? CurrentKeyId { get; set; }

    /// <summary>Lets the engine run with no configured key by generating an ephemeral one (logged as a warning, event
    /// 2001): tokens then die with the process and no two instances accept each other's. For tests and development
    /// only; the <c>Development</c> environment allows it without this switch. Default false.</summary>
    public bool AllowEphemeralKey { get; set; }

    /// <summary>The policy for <paramref name="clientId"/>.</summary>
    public RotationPolicy PolicyFor(string clientId) =>
        ClientPolicies.TryGetValue(clientId, out var policy) ? policy : DefaultPolicy;
}

/// <summary>One configured server key.</summary>
public sealed class KeyOptions
{
    /// <summary>The key id: 1 to 64 characters of letters, digits, '.', '_' or '-'. Stored with each family.</summary>
    public string Id { get; set; } = "";

    /// <summary>The key material as base64, at least 32 bytes. Keep it out of source control.</summary>
    public string Secret { get; set; } = "";

    /// <inheritdoc />
    public override string ToString() => $"KeyOptions {{ Id = {Id} }}";
}
