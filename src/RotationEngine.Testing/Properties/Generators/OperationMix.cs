using FsCheck;
using FsCheck.Fluent;
using RotationEngine.Testing.Model;

namespace RotationEngine.Testing.Generators;

/// <summary>How often each operation is generated. Each invariant's property uses a mix that reaches its cases.</summary>
internal sealed record OperationMix
{
    public int Issue { get; init; } = 8;
    public int IssueForeign { get; init; } = 1;
    public int Rotate { get; init; } = 30;
    public int RotateRetired { get; init; } = 8;
    public int Inspect { get; init; } = 4;
    public int Burst { get; init; } = 5;
    public int RevokeToken { get; init; } = 2;
    public int RevokeFamily { get; init; } = 2;
    public int RevokeSubject { get; init; } = 1;
    public int ListFamilies { get; init; } = 2;
    public int Prune { get; init; } = 3;
    public int Advance { get; init; } = 8;
    public int AdvanceToBoundary { get; init; } = 8;
    public int Forge { get; init; } = 4;
    public int Faults { get; init; } = 1;

    /// <summary>How often (in percent) a presentation comes from the other client.</summary>
    public int OtherClientPercent { get; init; } = 5;

    public static OperationMix Default { get; } = new();

    public static OperationMix For(Invariant invariant) => invariant switch
    {
        Invariant.SingleLineage => Default with { RotateRetired = 15, Burst = 10, Faults = 2 },
        Invariant.RevocationIsFinal => Default with { RevokeToken = 6, RevokeFamily = 6, RevokeSubject = 4, RotateRetired = 12 },
        Invariant.ReuseIsDetected => Default with { RotateRetired = 25, AdvanceToBoundary = 12 },
        Invariant.GraceIsIdempotentAndBounded => Default with { RotateRetired = 25, Burst = 12, Faults = 4 },
        Invariant.ExpiryHolds => Default with { AdvanceToBoundary = 25, Advance = 10, RotateRetired = 12 },
        Invariant.ForgeryIsHarmless => Default with { Forge = 30, IssueForeign = 3 },
        Invariant.SecretsStaySecret => Default with { Faults = 4, Forge = 6 },
        Invariant.ForgeryIsFree => Default with { Forge = 30, IssueForeign = 3, Rotate = 40 },
        Invariant.ClientBound => Default with { OtherClientPercent = 40, RotateRetired = 15, RevokeToken = 6, Inspect = 8 },
        _ => Default,
    };
}
