using RotationEngine.Storage;

namespace RotationEngine.Internal;

/// <summary>The first bytes of the digest of the presented token's successor, as a ledger slot keeps them.</summary>
[System.Runtime.CompilerServices.InlineArray(GraceLedger.DigestPieceSize)]
internal struct SuccessorPiece
{
    private byte _element;
}
