namespace RotationEngine.AspNetCore.DPoP;

/// <summary>What <see cref="DPoPProofValidator"/> made of a request's <c>DPoP</c> header.</summary>
public readonly record struct DPoPProofResult
{
    /// <summary>The <c>invalid_dpop_proof</c> error code (RFC 9449 §5, §7.1).</summary>
    public const string InvalidProof = "invalid_dpop_proof";

    /// <summary>The <c>use_dpop_nonce</c> error code (RFC 9449 §8).</summary>
    public const string UseNonce = "use_dpop_nonce";

    /// <summary>Whether the request had a <c>DPoP</c> header at all.</summary>
    public bool IsPresent { get; init; }

    /// <summary>The RFC 7638 SHA-256 thumbprint (base64url) of the proof's key when the proof is valid, else null.</summary>
    public string? Thumbprint { get; init; }

    /// <summary>The OAuth error (<see cref="InvalidProof"/> or <see cref="UseNonce"/>), or null.</summary>
    public string? Error { get; init; }

    /// <summary>What is wrong, for the client's developer (never a value from the request), or null.</summary>
    public string? ErrorDescription { get; init; }

    /// <summary>Whether a valid proof was presented.</summary>
    public bool IsValid => Thumbprint is not null;

    internal static DPoPProofResult Absent => default;

    internal static DPoPProofResult Valid(string thumbprint) => new() { IsPresent = true, Thumbprint = thumbprint };

    internal static DPoPProofResult Invalid(string description) => new() { IsPresent = true, Error = InvalidProof, ErrorDescription = description };

    internal static DPoPProofResult NonceNeeded(string description) => new() { IsPresent = true, Error = UseNonce, ErrorDescription = description };
}
