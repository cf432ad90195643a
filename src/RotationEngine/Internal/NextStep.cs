namespace RotationEngine.Internal;

/// <summary>What the engine does after a classification.</summary>
internal enum NextStep
{
    Answer,
    Rotate,
    Replay,
    Revoke,
}
