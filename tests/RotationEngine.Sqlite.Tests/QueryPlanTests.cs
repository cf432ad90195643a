using System.Reflection;
using RotationEngine.Sqlite.Internal;

namespace RotationEngine.Sqlite.Tests;

public sealed class QueryPlanTests
{
    [Theory]
    [InlineData(nameof(Sql.RevokeSubject), "families_by_subject")]
    [InlineData(nameof(Sql.ListActive), "families_by_subject")]
    [InlineData(nameof(Sql.Prune), "families_by_prune_at")]
    [InlineData(nameof(Sql.Rotate), "PRIMARY KEY")]
    [InlineData(nameof(Sql.Find), "PRIMARY KEY")]
    [InlineData(nameof(Sql.RecordReplay), "PRIMARY KEY")]
    [InlineData(nameof(Sql.Revoke), "PRIMARY KEY")]
    public async Task Statements_seek_an_index_instead_of_scanning(string statement, string index)
    {
        using var database = new TestDatabase();
        using var store = database.OpenStore();
        for (var i = 0; i < 50; i++)
        {
            await store.CreateAsync(Fixtures.Family(Fixtures.Start, subject: $"user-{i % 10}"));
        }

        using var connection = database.OpenConnection();
        using (var analyze = connection.CreateCommand())
        {
            analyze.CommandText = "ANALYZE";
            analyze.ExecuteNonQuery();
        }

        var sql = (string)typeof(Sql).GetField(statement, BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
        using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + sql;
        foreach (var name in new[] { "@id", "@generation", "@expected_digest", "@new_digest", "@key_id", "@client_id", "@binding", "@issued_at", "@now", "@slot", "@expected_ledger", "@new_ledger", "@reason", "@subject", "@cutoff", "@batch" })
        {
            if (sql.Contains(name, StringComparison.Ordinal))
            {
                command.Parameters.AddWithValue(name, DBNull.Value);
            }
        }

        var plan = new List<string>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                plan.Add(reader.GetString(3));
            }
        }

        Assert.Contains(plan, step => step.Contains("SEARCH families USING", StringComparison.Ordinal) && step.Contains(index, StringComparison.Ordinal));
        Assert.DoesNotContain(plan, step => step.StartsWith("SCAN families", StringComparison.Ordinal));
    }
}
