using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace OpenIddictServer;

/// <summary>Puts every EF Core connection to OpenIddict's SQLite file in WAL mode with <c>synchronous=NORMAL</c>.</summary>
internal sealed class WalConnectionInterceptor : DbConnectionInterceptor
{
    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    private static void Apply(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;";
        command.ExecuteNonQuery();
    }
}
