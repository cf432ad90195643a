namespace RotationEngine.Storage;

/// <summary>
/// A store fault (I/O, timeout, lost connection, contention that did not settle): the outcome of the
/// operation is <b>unknown</b>. The write may or may not have happened. Retrying with the same token is
/// safe when the policy's grace window is on: if the rotation did happen, the retry replays the current token.
/// The message never contains a token, a secret or a connection string.
/// </summary>
public sealed class RotationStoreException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RotationStoreException()
        : this("The token store failed; the outcome of the operation is unknown.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public RotationStoreException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the fault that caused it.</summary>
    public RotationStoreException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
