namespace RotationEngine;

/// <summary>Whether a family can still rotate.</summary>
public enum FamilyStatus
{
    /// <summary>The family is live (it may still have expired by time).</summary>
    Active = 0,

    /// <summary>The family is revoked; revocation is final.</summary>
    Revoked = 1,
}
