using System.Data;
using RotationEngine.Storage;

namespace RotationEngine.Tests;

/// <summary>
/// The one storage shape every store shares: the column names and their order (a stored schema depends on them), the
/// millisecond conversions, and <see cref="FamilyColumns.Read"/> over a real <see cref="System.Data.Common.DbDataReader"/>
/// (a <see cref="DataTableReader"/>) whose family columns do not start at the first.
/// </summary>
public sealed class FamilyColumnsTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(1_767_225_600_123);

    private static readonly FamilyRecord Full = new()
    {
        Id = new FamilyId(Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e")), Subject = "alice", ClientId = "web",
        Binding = "thumbprint", KeyId = "k1", Metadata = "scope=a b", CreatedAt = Now, FamilyExpiresAt = Now.AddDays(30),
        TokenExpiresAt = Now.AddHours(2), Generation = 41, Digest = Bytes(1), Ledger = GraceLedger.NewSlot(Now, Bytes(3)),
        Status = FamilyStatus.Revoked, RevokedAt = Now.AddMinutes(5), RevocationReason = RevocationReason.SignOut,
        Policy = new PolicySnapshot(TimeSpan.FromMinutes(90), TimeSpan.FromMilliseconds(1500), 3, 7, false, 500),
        Seal = Bytes(2),
    };

    private static readonly FamilyRecord Sparse = Full with
    {
        Binding = null, Metadata = null, Status = FamilyStatus.Active, RevokedAt = null, RevocationReason = null,
        Policy = Full.Policy with { GraceMaxReplays = null, BindingMismatchRevokes = true },
    };

    [Fact]
    public void The_select_list_is_every_column_in_the_canonical_order()
    {
        // Stored schemas and the Redis hash fields use these names: changing one breaks existing data.
        Assert.Equal(
            "id, subject, client_id, binding, key_id, metadata, created_at, family_expires_at, token_expires_at, generation, "
            + "digest, ledger, status, revoked_at, revocation_reason, token_lifetime_ms, grace_window_ms, grace_depth, "
            + "grace_max_replays, binding_mismatch_revokes, max_generations, seal",
            FamilyColumns.SelectList);
        Assert.Equal(FamilyColumns.SelectList, string.Join(", ", FamilyColumns.All));
    }

    [Fact]
    public void Durations_and_times_are_whole_milliseconds()
    {
        Assert.Equal(5_400_000, FamilyColumns.Milliseconds(TimeSpan.FromMinutes(90)));
        Assert.Equal(1, FamilyColumns.Milliseconds(TimeSpan.FromTicks(TimeSpan.TicksPerMillisecond + 9_999)));
        Assert.Equal(0, FamilyColumns.Milliseconds(TimeSpan.FromTicks(9_999)));
        Assert.Equal(1_767_225_600_123, FamilyColumns.Milliseconds(Now));
        Assert.Equal(Now, FamilyColumns.Time(1_767_225_600_123));
    }

    [Fact]
    public void Values_are_in_the_canonical_order_with_absent_values_as_null()
    {
        Assert.Equal(
            [
                Full.Id.Value, "alice", "web", "thumbprint", "k1", "scope=a b", 1_767_225_600_123L, 1_769_817_600_123L,
                1_767_232_800_123L, 41, Bytes(1), Full.Ledger, (int)FamilyStatus.Revoked, 1_767_225_900_123L,
                (int)RevocationReason.SignOut, 5_400_000L, 1_500L, 3, 7, false, 500, Bytes(2),
            ],
            FamilyColumns.Values(Full));

        var sparse = FamilyColumns.Values(Sparse);
        Assert.Equal(FamilyColumns.All.Count, sparse.Length);
        Assert.All(new[] { 3, 5, 13, 14, 18 }, column => Assert.Null(sparse[column]));
        Assert.Equal("family", Assert.Throws<ArgumentNullException>(() => FamilyColumns.Values(null!)).ParamName);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Read_returns_what_Values_wrote_from_columns_after_others(bool full)
    {
        var family = full ? Full : Sparse;
        using var reader = Row(["before", 17], FamilyColumns.Values(family));
        Assert.True(reader.Read());

        var read = FamilyColumns.Read(reader, first: 2);

        Assert.Equal(family with { Digest = read.Digest, Seal = read.Seal }, read);
        Assert.Equal(family.Digest, read.Digest);
        Assert.Equal(family.Seal, read.Seal);
    }

    [Fact]
    public void Read_starts_at_the_first_column_by_default_and_needs_a_reader()
    {
        using var reader = Row([], FamilyColumns.Values(Full));
        Assert.True(reader.Read());
        Assert.Equal(Full.Id, FamilyColumns.Read(reader).Id);
        Assert.Equal("reader", Assert.Throws<ArgumentNullException>(() => FamilyColumns.Read(null!)).ParamName);
    }

    private static byte[] Bytes(int n) => Enumerable.Range(n, FamilyColumns.DigestSize).Select(i => (byte)i).ToArray();

    // Column types from the values of Full (which has no absent value), so that Sparse's nulls become typed DBNull.
    private static DataTableReader Row(object[] leading, object?[] values)
    {
        var table = new DataTable();
        var types = FamilyColumns.Values(Full);
        for (var i = 0; i < leading.Length; i++)
        {
            table.Columns.Add($"extra{i}", leading[i].GetType());
        }

        for (var i = 0; i < types.Length; i++)
        {
            table.Columns.Add(FamilyColumns.All[i], types[i]!.GetType());
        }

        table.Rows.Add([.. leading, .. values.Select(v => v ?? DBNull.Value)]);
        return table.CreateDataReader();
    }
}
