using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using OpenIddictServer;

namespace RotationEngine.OpenIddict.Benchmarks;

/// <summary>
/// Database bytes per session: <c>sessions</c> sign-ins, each refreshed 0, 10 and 100 times over HTTP; after each stage,
/// the bytes each table takes with its indexes (a <c>VACUUM INTO</c> copy holding that table alone: whole pages, as on disk)
/// in OpenIddict's file and in the engine's, less the same figures before the first sign-in, divided by the number of sessions.
/// </summary>
internal static class StorageMeasurement
{
    private const string RefreshType = "urn:ietf:params:oauth:token-type:refresh_token";
    private const string AccessType = "urn:ietf:params:oauth:token-type:access_token";
    private static readonly int[] Stages = [0, 10, 100];

    public static async Task<string> RunAsync(int sessions)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{sessions} sessions per mode; bytes per session (each table with its indexes, compacted: `VACUUM INTO` a copy holding that table alone; whole 4 KiB pages, so small counts are coarse), rows per session in brackets.").AppendLine();
        text.AppendLine("| mode | refreshes per session | OpenIddict refresh-token entries | OpenIddict authorizations | engine families | refresh-token state per session | OpenIddict access-token entries (same in both modes) | total per session |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var mode in new[] { RefreshTokenMode.OpenIddict, RefreshTokenMode.RotationEngine })
        {
            await using var server = await BenchServer.StartAsync(mode);
            var empty = Measure(server);
            var tokens = new string[sessions];
            for (var s = 0; s < sessions; s++)
            {
                tokens[s] = (await server.SignInAsync()).RefreshToken!;
            }

            var done = 0;
            foreach (var stage in Stages)
            {
                for (; done < stage; done++)
                {
                    for (var s = 0; s < sessions; s++)
                    {
                        tokens[s] = await server.RefreshAsync(tokens[s]);
                    }
                }

                var used = Measure(server);
                double Per(string key) => (used.Bytes.GetValueOrDefault(key) - empty.Bytes.GetValueOrDefault(key)) / (double)sessions;
                double Rows(string key) => (used.Rows.GetValueOrDefault(key) - empty.Rows.GetValueOrDefault(key)) / (double)sessions;
                var state = Per("refresh") + Per("authorizations") + Per("families");
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"| {mode} | {stage} | {Per("refresh"):N0} B ({Rows("refresh"):N0}) | {Per("authorizations"):N0} B ({Rows("authorizations"):N0}) | {Per("families"):N0} B ({Rows("families"):N0}) | **{state:N0} B** | {Per("access"):N0} B ({Rows("access"):N0}) | {state + Per("access"):N0} B |");
            }
        }

        return text.ToString();
    }

    private static (Dictionary<string, long> Bytes, Dictionary<string, long> Rows) Measure(BenchServer server)
    {
        var bytes = new Dictionary<string, long>(StringComparer.Ordinal);
        var rows = new Dictionary<string, long>(StringComparer.Ordinal);
        var openIddictPath = Path.Combine(server.Directory, "openiddict.db");
        bytes["refresh"] = Used(openIddictPath, "OpenIddictTokens", $"Type = '{RefreshType}'");
        bytes["access"] = Used(openIddictPath, "OpenIddictTokens", $"Type = '{AccessType}'");
        bytes["authorizations"] = Used(openIddictPath, "OpenIddictAuthorizations");
        using (var openIddict = Open(openIddictPath))
        {
            rows["refresh"] = Scalar(openIddict, $"SELECT COUNT(*) FROM OpenIddictTokens WHERE Type = '{RefreshType}'");
            rows["access"] = Scalar(openIddict, $"SELECT COUNT(*) FROM OpenIddictTokens WHERE Type = '{AccessType}'");
            rows["authorizations"] = Scalar(openIddict, "SELECT COUNT(*) FROM OpenIddictAuthorizations");
        }

        var families = Path.Combine(server.Directory, "families.db");
        if (File.Exists(families))
        {
            bytes["families"] = Used(families, "families");
            using var engine = Open(families);
            rows["families"] = Scalar(engine, "SELECT COUNT(*) FROM families");
        }

        return (bytes, rows);
    }

    private static SqliteConnection Open(string path)
    {
        var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var checkpoint = connection.CreateCommand();
        checkpoint.CommandText = "PRAGMA busy_timeout=5000; PRAGMA wal_checkpoint(PASSIVE);";
        checkpoint.ExecuteNonQuery();
        return connection;
    }

    /// <summary>The bytes of a table and its indexes, compacted: a copy of the database with that table alone.</summary>
    private static long Used(string path, string table, string? keep = null)
    {
        var copy = Path.Combine(Path.GetTempPath(), "re-oidc-size-" + Guid.NewGuid().ToString("N") + ".db");
        try
        {
            using (var source = Open(path))
            {
                Execute(source, $"VACUUM INTO '{copy}'");
            }

            using var target = Open(copy);
            var others = new List<string>();
            using (var list = target.CreateCommand())
            {
                list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> $table";
                list.Parameters.AddWithValue("$table", table);
                using var reader = list.ExecuteReader();
                while (reader.Read())
                {
                    others.Add(reader.GetString(0));
                }
            }

            Execute(target, "PRAGMA foreign_keys=OFF");
            foreach (var other in others)
            {
                Execute(target, $"DROP TABLE \"{other}\"");
            }

            if (keep is not null)
            {
                Execute(target, $"DELETE FROM \"{table}\" WHERE NOT ({keep})");
            }

            Execute(target, "VACUUM");
            return Scalar(target, "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()");
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            File.Delete(copy);
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static long Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }
}
