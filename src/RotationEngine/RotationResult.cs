using System.Diagnostics;
using System.Text.Json.Serialization;
using RotationEngine.Storage;

namespace RotationEngine;

/// <summary>
/// The answer to <see cref="RefreshTokenEngine.RotateAsync"/> or <see cref="RefreshTokenEngine.InspectAsync"/>.
/// <c>default</c> is a safe failure: <see cref="RotationOutcome.Invalid"/> with no token. The token is left out of
/// <see cref="ToString"/>, the debugger display and JSON serialization.
/// </summary>
[DebuggerDisplay("{ToString(),nq}")]
public readonly struct RotationResult
{
    internal RotationResult(RotationOutcome outcome, OutcomeCause cause, FamilyRecord? family, string? token, RevocationReason? revocationReason)
    {
        Outcome = outcome;
        Cause = cause;
        Token = token;
        RevocationReason = revocationReason;
        if (family is not null)
        {
            FamilyId = family.Id;
            Subject = family.Subject;
            ClientId = family.ClientId;
            Metadata = family.Metadata;
            Generation = family.Generation;
            // Stryker disable once Equality : for equal times both branches give the same value
            TokenExpiresAt = family.TokenExpiresAt < family.FamilyExpiresAt ? family.TokenExpiresAt : family.FamilyExpiresAt;
            FamilyExpiresAt = family.FamilyExpiresAt;
        }
    }

    /// <summary>What happened.</summary>
    public RotationOutcome Outcome { get; }

    /// <summary>Why, in more detail. For logs and audits only: do not send it to a client.</summary>
    public OutcomeCause Cause { get; }

    /// <summary>True for <see cref="RotationOutcome.Rotated"/> and <see cref="RotationOutcome.GraceReplay"/>:
    /// the client gets <see cref="Token"/> (from <see cref="RefreshTokenEngine.RotateAsync"/>).</summary>
    public bool Succeeded => Outcome is RotationOutcome.Rotated or RotationOutcome.GraceReplay;

    /// <summary>The refresh token to return to the client; set only when <see cref="Succeeded"/> on a rotation
    /// (never by <see cref="RefreshTokenEngine.InspectAsync"/>). Never log it.</summary>
    [JsonIgnore]
    public string? Token { get; }

    /// <summary>The family, when the token was authentic and its family is in the store.</summary>
    public FamilyId? FamilyId { get; }

    /// <summary>The family's subject (user), when known.</summary>
    public string? Subject { get; }

    /// <summary>The family's client id, when known.</summary>
    public string? ClientId { get; }

    /// <summary>The host's metadata stored at issue (for example the granted scopes), when known.</summary>
    public string? Metadata { get; }

    /// <summary>The family's current generation after the operation, when known.</summary>
    public int Generation { get; }

    /// <summary>When the current token stops working: the earlier of its idle expiry and the family's absolute expiry.</summary>
    public DateTimeOffset? TokenExpiresAt { get; }

    /// <summary>The family's absolute expiry.</summary>
    public DateTimeOffset? FamilyExpiresAt { get; }

    /// <summary>Why the family is revoked, for <see cref="RotationOutcome.Revoked"/>,
    /// <see cref="RotationOutcome.ReuseDetected"/> and a revoking <see cref="RotationOutcome.BindingMismatch"/>.</summary>
    public RevocationReason? RevocationReason { get; }

    /// <summary>The OAuth error for a failed outcome (<c>invalid_grant</c>), or null on success.</summary>
    public string? OAuthError => Succeeded ? null : "invalid_grant";

    /// <inheritdoc />
    public override string ToString() => $"{Outcome} ({Cause}) family {FamilyId?.ToString() ?? "-"} generation {Generation}";
}
