namespace RotationEngine;

/// <summary>A new family and its first token.</summary>
/// <param name="Token">The refresh token to hand to the client. Never log or store it.</param>
/// <param name="FamilyId">The new family's id.</param>
/// <param name="TokenExpiresAt">When the token stops working unless rotated (the earlier of idle and absolute expiry).</param>
/// <param name="FamilyExpiresAt">When the family's absolute lifetime ends.</param>
public sealed record IssueResult(string Token, FamilyId FamilyId, DateTimeOffset TokenExpiresAt, DateTimeOffset FamilyExpiresAt)
{
    /// <inheritdoc />
    public override string ToString() => $"IssueResult {{ FamilyId = {FamilyId}, TokenExpiresAt = {TokenExpiresAt:O} }}";
}

/// <summary>A live family as shown in a user's "active sessions" list.</summary>
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
    DateTimeOffset FamilyExpiresAt);
