using System.Security.Cryptography;
using RotationEngine.Storage;

namespace RotationEngine.Testing;

/// <summary>Direct checks of <see cref="IFamilyStore"/> against its reference semantics, without the engine.</summary>
public abstract partial class FamilyStoreConformanceTests
{
    private FamilyRecord NewRecord(string subject = "carol", string? binding = null, RotationPolicy? policy = null, string client = Client)
    {
        var now = Time.GetUtcNow();
        var effective = policy ?? Policy;
        return new FamilyRecord
        {
            Id = FamilyId.New(),
            Subject = subject,
            ClientId = client,
            Binding = binding,
            KeyId = "k1",
            Metadata = "m",
            CreatedAt = now,
            FamilyExpiresAt = now + effective.FamilyLifetime,
            TokenExpiresAt = now + effective.TokenLifetime,
            Generation = 0,
            Digest = RandomNumberGenerator.GetBytes(FamilyColumns.DigestSize),
            Ledger = "",
            Policy = PolicySnapshot.Of(effective),
            Seal = RandomNumberGenerator.GetBytes(FamilyColumns.DigestSize),
        };
    }

    private RotationCommand CommandFor(FamilyRecord family, string? binding = null)
    {
        var newDigest = RandomNumberGenerator.GetBytes(FamilyColumns.DigestSize);
        return new RotationCommand(
            family.Id,
            family.Generation,
            family.Digest,
            newDigest,
            family.KeyId,
            family.ClientId,
            binding,
            family.TokenExpiresAt - family.Policy.TokenLifetime,
            Time.GetUtcNow(),
            GraceLedger.NewSlot(Time.GetUtcNow(), newDigest));
    }

    /// <summary>Create then Find returns every property as written.</summary>
    [Fact]
    public async Task Store_round_trips_every_property()
    {
        var record = NewRecord(binding: "b") with { Policy = PolicySnapshot.Of(Policy with { GraceMaxReplays = 7, BindingMismatchRevokes = false, GraceDepth = 3 }) };
        await Store.CreateAsync(record);

        var found = await Store.FindAsync(record.Id);

        Assert.NotNull(found);
        Assert.Equal(Describe(record), Describe(found));
        Assert.Null(await Store.FindAsync(FamilyId.New()));
    }

    /// <summary>A matching rotation writes exactly <see cref="RotationCommand.ApplyTo"/>'s result and returns it.</summary>
    [Fact]
    public async Task Store_rotation_applies_exactly_the_reference_update()
    {
        var record = NewRecord(binding: "b") with { Policy = PolicySnapshot.Of(Policy with { GraceDepth = 2 }) };
        await Store.CreateAsync(record);
        var current = record;
        for (var i = 0; i < 5; i++)
        {
            Time.Advance(TimeSpan.FromSeconds(1));
            var command = CommandFor(current, "b");
            var written = await Store.TryRotateAsync(command);

            Assert.NotNull(written);
            var expected = command.ApplyTo(current);
            Assert.Equal(Describe(expected), Describe(written));
            Assert.Equal(Describe(expected), Describe((await Store.FindAsync(record.Id))!));
            current = expected;
        }

        Assert.Equal(GraceLedger.CapacityFor(2), current.Ledger.Length);
        Assert.True(GraceLedger.TryRead(current.Ledger, 0, out var newest, out _));
        Assert.Equal(Time.GetUtcNow(), newest);
    }

    /// <summary>Each failed condition of the rotation leaves the family untouched and returns null.</summary>
    [Fact]
    public async Task Store_rotation_refuses_every_failed_condition()
    {
        var bound = NewRecord(binding: "b") with { Policy = PolicySnapshot.Of(Policy with { MaxGenerations = 1 }) };
        await Store.CreateAsync(bound);
        var good = CommandFor(bound, "b");
        var refused = new List<(string Name, RotationCommand Command)>
        {
            ("unknown family", good with { FamilyId = FamilyId.New() }),
            ("wrong generation", good with { Generation = 1 }),
            ("wrong digest", good with { ExpectedDigest = RandomNumberGenerator.GetBytes(FamilyColumns.DigestSize) }),
            ("wrong key", good with { KeyId = "k2" }),
            ("wrong client", good with { ClientId = "mobile" }),
            ("client differing in case", good with { ClientId = "WEB" }),
            ("wrong binding", good with { Binding = "c" }),
            ("no binding", good with { Binding = null }),
            ("token expired", good with { Now = bound.TokenExpiresAt }),
            ("presented token expired though the row's expiry is later", good with { IssuedAt = good.IssuedAt - Policy.TokenLifetime }),
            ("family expired", good with { Now = bound.FamilyExpiresAt }),
        };

        foreach (var (name, command) in refused)
        {
            Assert.True(await Store.TryRotateAsync(command) is null, $"The store rotated despite: {name}.");
        }

        Assert.Equal(Describe(bound), await StateOf(bound.Id));
        var rotated = await Store.TryRotateAsync(good);
        Assert.NotNull(rotated);
        Assert.Null(await Store.TryRotateAsync(CommandFor(rotated, "b")));

        var revoked = NewRecord();
        await Store.CreateAsync(revoked);
        Assert.True(await Store.TryRevokeAsync(revoked.Id, RevocationReason.Administrative, Time.GetUtcNow()));
        Assert.Null(await Store.TryRotateAsync(CommandFor(revoked)));

        var unbound = NewRecord();
        await Store.CreateAsync(unbound);
        Assert.NotNull(await Store.TryRotateAsync(CommandFor(unbound, "any binding")));
    }

    /// <summary>The replay counter is a compare-and-swap on generation and ledger of an active family.</summary>
    [Fact]
    public async Task Store_replay_is_a_compare_and_swap()
    {
        var record = NewRecord();
        await Store.CreateAsync(record);
        var rotated = (await Store.TryRotateAsync(CommandFor(record)))!;
        var counted = GraceLedger.WithSlot(rotated.Ledger, 0, GraceLedger.Slot(Time.GetUtcNow(), 1, new byte[GraceLedger.DigestPieceSize]));

        Assert.False(await Store.TryRecordReplayAsync(record.Id, 0, rotated.Ledger, counted));
        Assert.False(await Store.TryRecordReplayAsync(record.Id, 1, counted, counted));
        Assert.False(await Store.TryRecordReplayAsync(FamilyId.New(), 1, rotated.Ledger, counted));
        Assert.True(await Store.TryRecordReplayAsync(record.Id, 1, rotated.Ledger, counted));
        Assert.False(await Store.TryRecordReplayAsync(record.Id, 1, rotated.Ledger, counted));
        Assert.Equal(counted, (await Store.FindAsync(record.Id))!.Ledger);

        await Store.TryRevokeAsync(record.Id, RevocationReason.SignOut, Time.GetUtcNow());
        Assert.False(await Store.TryRecordReplayAsync(record.Id, 1, counted, GraceLedger.WithSlot(counted, 0, GraceLedger.Slot(Time.GetUtcNow(), 2, new byte[GraceLedger.DigestPieceSize]))));
    }

    /// <summary>Revocation is final and keeps the first reason and time.</summary>
    [Fact]
    public async Task Store_revocation_is_final()
    {
        var record = NewRecord();
        await Store.CreateAsync(record);
        var first = Time.GetUtcNow();

        Assert.True(await Store.TryRevokeAsync(record.Id, RevocationReason.ReuseDetected, first));
        Assert.False(await Store.TryRevokeAsync(record.Id, RevocationReason.SignOut, first + TimeSpan.FromSeconds(1)));
        Assert.False(await Store.TryRevokeAsync(FamilyId.New(), RevocationReason.SignOut, first));

        var found = (await Store.FindAsync(record.Id))!;
        Assert.Equal(FamilyStatus.Revoked, found.Status);
        Assert.Equal(RevocationReason.ReuseDetected, found.RevocationReason);
        Assert.Equal(first, found.RevokedAt);
        Assert.Equal(new byte[FamilyColumns.DigestSize], found.Digest);
        Assert.Equal(Describe(record with { Status = FamilyStatus.Revoked, RevokedAt = first, RevocationReason = RevocationReason.ReuseDetected, Digest = new byte[FamilyColumns.DigestSize] }), Describe(found));

        var bySubject = NewRecord("erin");
        await Store.CreateAsync(bySubject);
        Assert.Equal(1, await Store.RevokeSubjectAsync("erin", RevocationReason.CredentialsChanged, first));
        Assert.Equal(new byte[FamilyColumns.DigestSize], (await Store.FindAsync(bySubject.Id))!.Digest);
    }

    /// <summary>Prune honours the batch size and the strict cutoff on all three clocks (revoked, idle, absolute).</summary>
    [Fact]
    public async Task Store_prune_honours_batch_size_and_cutoff()
    {
        var now = Time.GetUtcNow();
        var keep = NewRecord();
        var idle = NewRecord() with { TokenExpiresAt = now - TimeSpan.FromSeconds(2) };
        var absolute = NewRecord() with { FamilyExpiresAt = now - TimeSpan.FromSeconds(2) };
        var atCutoff = NewRecord() with { TokenExpiresAt = now - TimeSpan.FromSeconds(1) };
        var revoked = NewRecord();
        foreach (var record in new[] { keep, idle, absolute, atCutoff, revoked })
        {
            await Store.CreateAsync(record);
        }

        await Store.TryRevokeAsync(revoked.Id, RevocationReason.SignOut, now - TimeSpan.FromSeconds(5));
        var cutoff = now - TimeSpan.FromSeconds(1);
        foreach (var record in new[] { keep, idle, absolute, atCutoff })
        {
            Assert.Equal(record.PrunableAt < cutoff, record == idle || record == absolute);
        }

        Assert.Equal(2, await Store.PruneAsync(cutoff, 2));
        Assert.Equal(1, await Store.PruneAsync(cutoff, 2));
        Assert.Equal(0, await Store.PruneAsync(cutoff, 2));
        Assert.NotNull(await Store.FindAsync(keep.Id));
        Assert.NotNull(await Store.FindAsync(atCutoff.Id));
        Assert.Null(await Store.FindAsync(idle.Id));
        Assert.Null(await Store.FindAsync(absolute.Id));
        Assert.Null(await Store.FindAsync(revoked.Id));
    }

    /// <summary>Listing and revoking by subject see only that subject's families, live ones for the list.</summary>
    [Fact]
    public async Task Store_subject_operations_are_exact()
    {
        var now = Time.GetUtcNow();
        var live = NewRecord("dave");
        var expired = NewRecord("dave") with { TokenExpiresAt = now };
        var similar = NewRecord("dave2");
        var prefixed = NewRecord("Dave");
        foreach (var record in new[] { live, expired, similar, prefixed })
        {
            await Store.CreateAsync(record);
        }

        Assert.Equal([live.Id], (await Store.ListActiveAsync("dave", now)).Select(f => f.Id).ToArray());
        Assert.Equal(2, await Store.RevokeSubjectAsync("dave", RevocationReason.SignOut, now));
        Assert.Empty(await Store.ListActiveAsync("dave", now));
        Assert.Single(await Store.ListActiveAsync("dave2", now));
        Assert.Single(await Store.ListActiveAsync("Dave", now));
    }
}
