using System.Globalization;
using System.Security.Cryptography;
using RotationEngine.Storage;

namespace RotationEngine.Sqlite.Tests;

/// <summary>The rotation statement against its reference, <see cref="RotationCommand.Matches"/> and
/// <see cref="RotationCommand.ApplyTo"/>, on many families and commands that each differ in a few fields.</summary>
public sealed class RotationStatementTests
{
    [Fact]
    public async Task The_update_statement_agrees_with_Matches_and_ApplyTo()
    {
        using var database = new TestDatabase();
        using var store = database.OpenStore();
        var random = new Random(20261127);
        var rotated = 0;
        for (var i = 0; i < 600; i++)
        {
            var family = RandomFamily(random);
            await store.CreateAsync(family);
            var command = RandomCommand(random, family);

            var expected = command.Matches(family) ? command.ApplyTo(family) : null;
            var actual = await store.TryRotateAsync(command);

            AssertSame(expected, actual, $"scenario {i}: {family} / {command}");
            AssertSame(expected ?? family, await store.FindAsync(family.Id), $"scenario {i} stored");
            rotated += expected is null ? 0 : 1;
        }

        // Both branches were exercised plenty.
        Assert.InRange(rotated, 100, 500);
    }

    [Fact]
    public async Task The_presented_issue_time_decides_the_idle_expiry_not_the_rows_token_expiry()
    {
        using var database = new TestDatabase();
        using var store = database.OpenStore();
        var family = Fixtures.Family(Fixtures.Start);
        await store.CreateAsync(family);
        var expiredAt = Fixtures.Start + family.Policy.TokenLifetime;

        // Somebody moved the row's token expiry to the far future: the presented token is still expired.
        database.Execute("UPDATE families SET token_expires_at = @far", ("@far", FamilyColumns.Milliseconds(Fixtures.Start.AddYears(50))));
        Assert.Null(await store.TryRotateAsync(Fixtures.Rotation(family, expiredAt)));
        Assert.Equal(0L, database.Scalar("SELECT generation FROM families"));

        // And a row whose expiry says "expired" does not stop a token whose own issue time is recent.
        database.Execute("UPDATE families SET token_expires_at = 0");
        var written = await store.TryRotateAsync(Fixtures.Rotation(family, expiredAt.AddMilliseconds(-1)));
        Assert.NotNull(written);
        Assert.Equal(expiredAt.AddMilliseconds(-1) + family.Policy.TokenLifetime, written.TokenExpiresAt);
    }

    internal static void AssertSame(FamilyRecord? expected, FamilyRecord? actual, string scenario)
    {
        if (expected is null || actual is null)
        {
            Assert.True(expected is null && actual is null, $"{scenario}: expected {expected?.ToString() ?? "null"}, got {actual?.ToString() ?? "null"}");
            return;
        }

        Assert.True(expected.Digest.AsSpan().SequenceEqual(actual.Digest), $"{scenario}: digest");
        Assert.True(expected.Seal.AsSpan().SequenceEqual(actual.Seal), $"{scenario}: seal");
        Assert.Equal(expected with { Digest = [], Seal = [] }, actual with { Digest = [], Seal = [] });
    }

    internal static FamilyRecord RandomFamily(Random random)
    {
        var createdAt = Fixtures.Start.AddMilliseconds(random.Next(0, 1_000_000));
        var policy = new PolicySnapshot(
            TimeSpan.FromMilliseconds(random.Next(1_000, 100_000)),
            TimeSpan.FromMilliseconds(random.Next(0, 900)),
            random.Next(1, RotationPolicy.MaxGraceDepth + 1),
            random.Next(3) == 0 ? null : random.Next(1, 100),
            random.Next(2) == 0,
            random.Next(1, 40));
        var generation = random.Next(0, 12);

        // Up to one slot more than the depth keeps, so the statement's trimming is exercised.
        var slots = random.Next(0, policy.GraceDepth + 2);
        var ledger = string.Concat(Enumerable.Range(0, slots).Select(_ =>
            random.NextInt64(0, 1L << 40).ToString("X12", CultureInfo.InvariantCulture)
            + random.Next(0, 65536).ToString("X4", CultureInfo.InvariantCulture)
            + Convert.ToHexString(RandomNumberGenerator.GetBytes(GraceLedger.DigestPieceSize))));
        var revoked = random.Next(5) == 0;
        return new FamilyRecord
        {
            Id = FamilyId.New(),
            Subject = "subject-" + random.Next(10),
            ClientId = "client-" + random.Next(3),
            Binding = random.Next(2) == 0 ? null : "binding-" + random.Next(2),
            KeyId = "k" + random.Next(2),
            Metadata = random.Next(2) == 0 ? null : "scope openid é ✓",
            CreatedAt = createdAt,
            FamilyExpiresAt = createdAt.AddMilliseconds(random.Next(1_000, 400_000)),
            // Unrelated to the presented issue time on purpose: the statement must not look at it.
            TokenExpiresAt = createdAt.AddMilliseconds(random.Next(1, 200_000)),
            Generation = generation,
            Digest = Fixtures.NewDigest(),
            Ledger = ledger,
            Status = revoked ? FamilyStatus.Revoked : FamilyStatus.Active,
            RevokedAt = revoked ? createdAt.AddSeconds(1) : null,
            RevocationReason = revoked ? RevocationReason.SignOut : null,
            Policy = policy,
            Seal = RandomNumberGenerator.GetBytes(FamilyColumns.DigestSize),
        };
    }

    private static RotationCommand RandomCommand(Random random, FamilyRecord family)
    {
        // Usually right, sometimes wrong in one or more fields.
        bool Wrong() => random.Next(8) == 0;
        var expectedDigest = Wrong() ? Fixtures.NewDigest() : family.Digest.ToArray();
        var now = family.CreatedAt.AddMilliseconds(random.Next(0, 60_000));
        var issuedAt = now.AddMilliseconds(-random.Next(0, (int)(family.Policy.TokenLifetime.TotalMilliseconds * 1.3)));
        var newDigest = Fixtures.NewDigest();
        return new RotationCommand(
            family.Id,
            Wrong() ? family.Generation + random.Next(-1, 2) : family.Generation,
            expectedDigest,
            newDigest,
            Wrong() ? "k9" : family.KeyId,
            Wrong() ? "client-9" : family.ClientId,
            random.Next(5) switch { 0 => null, 1 => "binding-0", _ => family.Binding },
            issuedAt,
            now,
            GraceLedger.NewSlot(now, newDigest));
    }
}
