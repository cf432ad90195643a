using System.Globalization;
using System.Security.Cryptography;
using RotationEngine.Storage;

namespace RotationEngine.Sqlite.Tests;

/// <summary>The rotation statement against its reference, <see cref="RotationCommand.Matches"/> and
/// <see cref="RotationCommand.ApplyTo"/>, on many families and commands that each differ in a few fields.</summary>
public sealed class RotationStatementTests
{
    private static readonly byte[] NoDigest = [];

    [Fact]
    public async Task The_update_statement_agrees_with_Matches_and_ApplyTo()
    {
        using var database = new TestDatabase();
        using var store = database.OpenStore();
        var random = new Random(20261127);
        var rotated = 0;
        for (var i = 0; i < 400; i++)
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
        Assert.InRange(rotated, 80, 320);
    }

    private static void AssertSame(FamilyRecord? expected, FamilyRecord? actual, string scenario)
    {
        if (expected is null || actual is null)
        {
            Assert.True(expected is null && actual is null, $"{scenario}: expected {expected?.ToString() ?? "null"}, got {actual?.ToString() ?? "null"}");
            return;
        }

        Assert.True(expected.Digest.AsSpan().SequenceEqual(actual.Digest), $"{scenario}: digest");
        Assert.Equal(expected with { Digest = NoDigest }, actual with { Digest = NoDigest });
    }

    private static FamilyRecord RandomFamily(Random random)
    {
        var createdAt = Fixtures.Start.AddMilliseconds(random.Next(0, 1_000_000));
        var policy = new RotationPolicy
        {
            TokenLifetime = TimeSpan.FromMilliseconds(random.Next(1_000, 100_000)),
            FamilyLifetime = TimeSpan.FromMilliseconds(random.Next(1_000, 400_000)),
            GraceWindow = TimeSpan.FromMilliseconds(random.Next(0, 900)),
            GraceDepth = random.Next(1, RotationPolicy.MaxGraceDepth + 1),
            GraceMaxReplays = random.Next(3) == 0 ? null : random.Next(1, 100),
            BindingMismatchRevokes = random.Next(2) == 0,
            MaxGenerations = random.Next(1, 40),
        };
        var generation = random.Next(0, 12);
        var slots = random.Next(0, policy.GraceDepth + 2);
        var ledger = string.Concat(Enumerable.Range(0, slots).Select(_ =>
            random.NextInt64(0, 1L << 40).ToString("X12", CultureInfo.InvariantCulture) + random.Next(0, 65536).ToString("X4", CultureInfo.InvariantCulture)));
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
            FamilyExpiresAt = createdAt + policy.FamilyLifetime,
            TokenExpiresAt = createdAt.AddMilliseconds(random.Next(1, 200_000)),
            Generation = generation,
            Digest = RandomNumberGenerator.GetBytes(32),
            Ledger = ledger,
            Status = revoked ? FamilyStatus.Revoked : FamilyStatus.Active,
            RevokedAt = revoked ? createdAt.AddSeconds(1) : null,
            RevocationReason = revoked ? RevocationReason.SignOut : null,
            Policy = policy,
        };
    }

    private static RotationCommand RandomCommand(Random random, FamilyRecord family)
    {
        // Usually right, sometimes wrong in one or more fields.
        bool Wrong() => random.Next(8) == 0;
        var expectedDigest = Wrong() ? RandomNumberGenerator.GetBytes(32) : family.Digest.ToArray();
        var now = family.CreatedAt.AddMilliseconds(random.Next(0, 60_000));
        return new RotationCommand(
            family.Id,
            Wrong() ? family.Generation + random.Next(-1, 2) : family.Generation,
            expectedDigest,
            RandomNumberGenerator.GetBytes(32),
            Wrong() ? "k9" : family.KeyId,
            random.Next(5) switch { 0 => null, 1 => "binding-0", _ => family.Binding },
            now,
            GraceLedger.NewSlot(now));
    }
}
