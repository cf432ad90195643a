namespace RotationEngine.Testing;

/// <summary>A property of the suite failed: the message names the invariant, the shrunk operation list and the
/// seed that replays it (see <see cref="PropertyRunSettings.ReplayVariable"/>).</summary>
public sealed class InvariantViolationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public InvariantViolationException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public InvariantViolationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the failure it reports.</summary>
    public InvariantViolationException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The invariant whose property failed.</summary>
    public Invariant Invariant { get; init; }

    /// <summary>The value to put in <see cref="PropertyRunSettings.ReplayVariable"/> to rerun exactly this failure.</summary>
    public string? Replay { get; init; }
}
