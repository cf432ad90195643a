namespace RotationEngine.Testing.Model;

/// <summary>A recipe for a forged string. <see cref="Position"/> and <see cref="Bit"/> are reduced modulo the
/// relevant size when applied; <see cref="Text"/> is the generated text of <see cref="ForgeryKind.RandomText"/>.</summary>
internal sealed record Forgery(ForgeryKind Kind, int Position, int Bit, string Text)
{
    public override string ToString() => Kind switch
    {
        ForgeryKind.RandomText => $"random text of {Text.Length} chars",
        ForgeryKind.CharacterBitFlip => $"bit {Bit % 8} of char {Position} flipped",
        ForgeryKind.Truncated => $"truncated to {Position} chars",
        ForgeryKind.FamilyIdBitFlip or ForgeryKind.SecretBitFlip or ForgeryKind.TagBitFlip => $"{Kind} byte {Position} bit {Bit % 8}",
        ForgeryKind.GenerationBitFlip => $"generation bit {Bit % 32} flipped",
        ForgeryKind.IssuedAtBitFlip => $"issue time bit {Bit % 48} flipped",
        ForgeryKind.FingerprintBitFlip => $"fingerprint bit {Bit % 32} flipped",
        ForgeryKind.OtherFamilyId => $"id of family #{Position}",
        _ => Kind.ToString(),
    };
}
