using Npgsql;
using RotationEngine.Storage;

namespace RotationEngine.Postgres.Internal;

/// <summary>The PostgreSQL store's use of <see cref="StoreFaults"/>, shared by the family store and the DPoP replay
/// cache: the message names the operation and the failure kind (PostgreSQL's SQLSTATE) but no connection details,
/// parameter values or server text (which could echo data).</summary>
internal static class PostgresFault
{
    public static bool IsFault(Exception exception) => StoreFaults.IsFault(exception);

    public static RotationStoreException Create(string operation, Exception exception) =>
        StoreFaults.Create("PostgreSQL", operation, exception is PostgresException postgres ? $"PostgreSQL error {postgres.SqlState}" : exception.GetType().Name, exception);
}
