using System.Diagnostics;
using System.Text.Json.Serialization;

namespace RotationEngine;

/// <summary>A new family and its first token. The token is left out of <see cref="ToString"/>, the debugger display
/// and JSON serialization.</summary>
/// <param name="Token">The refresh token to hand to the client. Never log or store it.</param>
/// <param name="FamilyId">The new family's id.</param>
/// <param name="TokenExpiresAt">When the token stops working unless rotated (the earlier of idle and absolute expiry).</param>
/// <param name="FamilyExpiresAt">When the family's absolute lifetime ends.</param>
[DebuggerDisplay("{ToString(),nq}")]
public sealed record IssueResult([property: JsonIgnore] string Token, FamilyId FamilyId, DateTimeOffset TokenExpiresAt, DateTimeOffset FamilyExpiresAt)
{
    /// <inheritdoc />
    public override string ToString() => $"IssueResult {{ FamilyId = {FamilyId}, TokenExpiresAt = {TokenExpiresAt:O} }}";
}

/// <summary>A family as shown in a user's "active sessions" list or read by <see cref="RefreshTokenEngine.GetFamilyAsync"/>.</summary>
/// <param name="Id">The family id (pass it to <see cref="RefreshTokenEngine.RevokeFamilyAsync"/>).</param>
/// <param name="Subject">The user.</param>
/// <param name="ClientId">The client.</param>
/// <param name="Binding">The binding, if the family is bound.</param>
/// <param name="Metadata">The host's metadata.</param>
/// <param name="CreatedAt">When the user signed in.</param>
/// <param name="LastRotatedAt">When the family last rotated (its sign-in time if never).</param>
/// <param name="Generation">How many times it has rotated.</param>
/// <param name="TokenExpiresAt">When the current token stops working unless rotated.</param>
/// <param name="FamilyExpiresAt">The family's absolute expiry.</param>
/// <param name="Status">Active or revoked (an active family may still have expired by time).</param>
/// <param name="RevokedAt">When it was revoked.</param>
/// <param name="RevocationReason">Why it was revoked.</param>
public sealed record FamilyInfo(
    FamilyId Id,
    string Subject,
    string ClientId,
    string? Binding,
    string? Metadata,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastRotatedAt,
    int Generation,
    DateTimeOffset TokenExpiresAt,
    DateTimeOffset FamilyExpiresAt,
    FamilyStatus Status = FamilyStatus.Active,
    DateTimeOffset? RevokedAt = null,
    RevocationReason? RevocationReason = null);
