using System.Buffers.Binary;
using System.Security.Cryptography;
using RotationEngine.Internal;
using RotationEngine.Keys;
using RotationEngine.Storage;

namespace RotationEngine.Tests;

/// <summary>
/// The seal's exact bytes (docs/security.md "Seal"). Golden vectors: a fixed key and fixed records give the seals
/// today's code writes. Every sealed family in every store carries one of these, so a changed encoding would turn
/// all of them <c>Tampered</c>: a vector that fails here means stored data breaks, not that the vector needs updating.
/// The same seals are also computed here from the documented encoding with the one-shot APIs.
/// </summary>
public sealed class FamilySealFormatTests
{
    private static readonly byte[] Material = Enumerable.Repeat((byte)0x5A, 32).ToArray();
    private static readonly ChainKey Key = new("k1", Material);
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(1_767_225_600_123);

    private static readonly FamilyRecord Unbound = new()
    {
        Id = new FamilyId(Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e")), Subject = "alice", ClientId = "web",
        Binding = null, KeyId = "k1", Metadata = "m", CreatedAt = Now, FamilyExpiresAt = Now.AddDays(90),
        TokenExpiresAt = Now.AddDays(14), Generation = 0, Digest = new byte[16], Ledger = "",
        Policy = PolicySnapshot.Of(RotationPolicy.Default), Seal = [],
    };

    // Lone surrogates: the seal takes UTF-16 code units as they are (no conversion may merge two strings).
    private static readonly FamilyRecord IllFormed = Unbound with
    {
        Subject = "a" + '\uD800', ClientId = '\uDC00' + "b", Binding = "", Metadata = null,
        Policy = Unbound.Policy with { GraceMaxReplays = 3, GraceDepth = 2, BindingMismatchRevokes = false },
    };

    // More than 1 KiB to encode, so that the buffer comes from the pool rather than the stack.
    private static readonly FamilyRecord Large = Unbound with
    {
        Binding = new string('b', RefreshTokenEngine.MaxBindingLength), Metadata = string.Concat(Enumerable.Repeat("scope ", 400)),
    };

    public static TheoryData<string, string> Golden => new()
    {
        { nameof(Unbound), "159399433D5D9A3B004B8F77909D559D" },
        { nameof(IllFormed), "2C852A5F1536951B59979C075FA63104" },
        { nameof(Large), "51B35E695E6B22E2BF870CD8DAEC1B8C" },
    };

    [Theory]
    [MemberData(nameof(Golden))]
    public void The_seal_of_a_fixed_record_under_a_fixed_key_never_changes(string record, string seal)
    {
        var family = Record(record);

        Assert.Equal(seal, Convert.ToHexString(FamilySeal.Compute(Key, family)));
        Assert.Equal(seal, Convert.ToHexString(Reference(family)));
        Assert.True(FamilySeal.Verify(Key, family with { Seal = Convert.FromHexString(seal) }));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(15)]
    [InlineData(17)]
    [InlineData(32)]
    public void A_seal_of_the_wrong_size_never_verifies(int size)
    {
        // A longer seal whose first 16 bytes are right is still refused.
        var right = FamilySeal.Compute(Key, Unbound);
        var seal = new byte[size];
        right.AsSpan(0, Math.Min(size, right.Length)).CopyTo(seal);

        Assert.False(FamilySeal.Verify(Key, Unbound with { Seal = seal }));
    }

    private static FamilyRecord Record(string name) => name switch
    {
        nameof(Unbound) => Unbound,
        nameof(IllFormed) => IllFormed,
        nameof(Large) => Large,
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    /// <summary>The documented encoding, written out field by field.</summary>
    private static byte[] Reference(FamilyRecord family)
    {
        var bytes = new List<byte>("RotationEngine.Seal.v2"u8.ToArray());
        bytes.AddRange(family.Id.Value.ToByteArray(bigEndian: true));
        Int64(family.CreatedAt.ToUnixTimeMilliseconds());
        Int64(family.FamilyExpiresAt.ToUnixTimeMilliseconds());
        Int64((long)family.Policy.TokenLifetime.TotalMilliseconds);
        Int64((long)family.Policy.GraceWindow.TotalMilliseconds);
        Int32(family.Policy.GraceDepth);
        Int32(family.Policy.GraceMaxReplays ?? -1);
        Int32(family.Policy.MaxGenerations);
        bytes.Add(family.Policy.BindingMismatchRevokes ? (byte)1 : (byte)0);
        foreach (var text in new[] { family.Subject, family.ClientId, family.Binding, family.Metadata, family.KeyId })
        {
            Int32(text?.Length ?? -1);
            foreach (var unit in text ?? "")
            {
                bytes.Add((byte)unit);
                bytes.Add((byte)(unit >> 8));
            }
        }

        var sealKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, Material, 32, "RotationEngine v2"u8.ToArray(), "seal"u8.ToArray());
        return HMACSHA256.HashData(sealKey, bytes.ToArray())[..16];

        void Int64(long value)
        {
            var buffer = new byte[8];
            BinaryPrimitives.WriteInt64BigEndian(buffer, value);
            bytes.AddRange(buffer);
        }

        void Int32(int value)
        {
            var buffer = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(buffer, value);
            bytes.AddRange(buffer);
        }
    }
}
