
namespace RotationEngine.Testing.Model;

internal enum StepKind
{
    Skip,
    Issue,
    IssueForeign,
    Rotate,
    Inspect,
    Burst,
    RevokeToken,
    RevokeFamily,
    RevokeSubject,
    ListFamilies,
    Prune,
    Advance,
    Forge,
}
