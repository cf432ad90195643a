using System.Data.Common;
using System.Net.Sockets;

namespace RotationEngine.Storage;

/// <summary>
/// How every store maps an infrastructure failure to the contract's <see cref="RotationStoreException"/> ("outcome
/// unknown"): which exceptions are faults, and one message shape that names the store, the operation and the kind of
/// failure but never a connection string, a password, a path, a parameter value or a token. For store authors: wrap
/// each store call in <c>catch (Exception e) when (StoreFaults.IsFault(e))</c> and throw <see cref="Create"/>.
/// </summary>
public static class StoreFaults
{
    /// <summary>Whether <paramref name="exception"/> is a fault of the store's infrastructure: a database, network, I/O,
    /// permission or timeout failure, or a stored value of the wrong kind or out of range (a record edited outside the
    /// engine). Cancellation by the caller is not a fault: it passes through.</summary>
    /// <param name="exception">What the driver threw.</param>
    public static bool IsFault(Exception exception) =>
        exception is DbException or TimeoutException or IOException or SocketException or UnauthorizedAccessException
            or InvalidCastException or FormatException or ArgumentOutOfRangeException or OverflowException;

    /// <summary>The fault, for <paramref name="store"/> (e.g. "SQLite") failing during <paramref name="operation"/> (e.g.
    /// "Rotate") with <paramref name="kind"/> (the exception's type name, or a driver error code — never its message,
    /// which may echo data).</summary>
    /// <param name="store">The store's name.</param>
    /// <param name="operation">The operation that failed.</param>
    /// <param name="kind">What failed, without data.</param>
    /// <param name="innerException">The driver's exception, when its text is known to carry no secret and no path.</param>
    public static RotationStoreException Create(string store, string operation, string kind, Exception? innerException = null) =>
        new($"The {store} family store failed during {operation} ({kind}); the outcome is unknown.", innerException);
}
