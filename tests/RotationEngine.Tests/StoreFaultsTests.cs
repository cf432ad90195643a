using System.Data.Common;
using System.Net.Sockets;
using RotationEngine.Storage;

namespace RotationEngine.Tests;

/// <summary>Which driver exceptions every store turns into "outcome unknown", and the message it gives them.</summary>
public sealed class StoreFaultsTests
{
    public static TheoryData<Exception> Faults() =>
    [
        new DriverException(),
        new TimeoutException(),
        new IOException(),
        new FileNotFoundException(),
        new SocketException((int)SocketError.ConnectionRefused),
        new UnauthorizedAccessException(),
        new InvalidCastException(),
        new FormatException(),
        new ArgumentOutOfRangeException(),
        new OverflowException(),
    ];

    public static TheoryData<Exception> NotFaults() =>
    [
        new OperationCanceledException(),
        new TaskCanceledException(),
        new InvalidOperationException(),
        new ArgumentNullException(),
        new ArgumentException(),
        new NullReferenceException(),
        new RotationStoreException(),
    ];

    [Theory]
    [MemberData(nameof(Faults))]
    public void Infrastructure_failures_and_bad_stored_values_are_faults(Exception exception) =>
        Assert.True(StoreFaults.IsFault(exception), exception.GetType().Name);

    [Theory]
    [MemberData(nameof(NotFaults))]
    public void Cancellation_and_programming_errors_are_not_faults(Exception exception) =>
        Assert.False(StoreFaults.IsFault(exception), exception.GetType().Name);

    [Fact]
    public void A_fault_names_the_store_the_operation_and_the_kind_and_keeps_the_cause()
    {
        var cause = new TimeoutException("secret-bearing driver text");

        var fault = StoreFaults.Create("SQLite", "Rotate", "TimeoutException", cause);

        Assert.Equal("The SQLite family store failed during Rotate (TimeoutException); the outcome is unknown.", fault.Message);
        Assert.Same(cause, fault.InnerException);
        Assert.Null(StoreFaults.Create("Redis", "Find", "NOSCRIPT").InnerException);
    }

    [Fact]
    public void A_store_exception_without_a_message_says_the_outcome_is_unknown()
    {
        var error = new RotationStoreException();

        Assert.Equal("The token store failed; the outcome of the operation is unknown.", error.Message);
        Assert.Null(error.InnerException);
    }

    private sealed class DriverException : DbException;
}
