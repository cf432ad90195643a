
namespace RotationEngine.Testing.Model;

/// <summary>Which boundary a clock step aims at.</summary>
internal enum Boundary
{
    TokenExpiry,
    FamilyExpiry,
    GraceWindowEnd,
    RetiredTokenExpiry,
    PruneHorizon,
}
