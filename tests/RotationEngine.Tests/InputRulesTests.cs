using RotationEngine.Internal;
using RotationEngine.Storage;

namespace RotationEngine.Tests;

/// <summary>
/// What the engine accepts from its caller (text checks, exact messages) and from its store (the shape limits of a
/// record read back): each limit's last accepted and first refused value, one field at a time.
/// </summary>
public sealed class InputRulesTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(1_767_225_600_000);

    /// <summary>A record at every lower limit the engine allows (one-character identities, no binding or metadata).</summary>
    private static readonly FamilyRecord Valid = new()
    {
        Id = new FamilyId(Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e")), Subject = "s", ClientId = "c", KeyId = "k1",
        CreatedAt = Now, FamilyExpiresAt = Now.AddDays(1), TokenExpiresAt = Now.AddHours(1), Generation = 0,
        Digest = new byte[FamilyColumns.DigestSize], Ledger = "", Policy = PolicySnapshot.Of(RotationPolicy.Default),
        Seal = new byte[FamilyColumns.DigestSize],
    };

    public static TheoryData<string, int> Text_limits => new()
    {
        { nameof(FamilyRecord.Subject), RefreshTokenEngine.MaxSubjectLength },
        { nameof(FamilyRecord.ClientId), RefreshTokenEngine.MaxClientIdLength },
        { nameof(FamilyRecord.Binding), RefreshTokenEngine.MaxBindingLength },
    };

    [Theory]
    [MemberData(nameof(Text_limits))]
    public void A_stored_identity_is_within_limits_from_one_character_to_its_maximum(string field, int max)
    {
        Assert.True(InputRules.IsWithinLimits(Valid));
        Assert.True(InputRules.IsWithinLimits(With(field, "x")));
        Assert.True(InputRules.IsWithinLimits(With(field, new string('x', max))));
        Assert.False(InputRules.IsWithinLimits(With(field, new string('x', max + 1))));
        Assert.False(InputRules.IsWithinLimits(With(field, "")));
    }

    [Fact]
    public void Stored_metadata_may_be_absent_empty_or_up_to_its_maximum()
    {
        Assert.True(InputRules.IsWithinLimits(Valid with { Metadata = "" }));
        Assert.True(InputRules.IsWithinLimits(Valid with { Metadata = new string('m', RefreshTokenEngine.MaxMetadataLength) }));
        Assert.False(InputRules.IsWithinLimits(Valid with { Metadata = new string('m', RefreshTokenEngine.MaxMetadataLength + 1) }));
    }

    [Fact]
    public void A_record_at_every_upper_limit_is_within_limits()
    {
        var largest = Valid with
        {
            Subject = new string('s', RefreshTokenEngine.MaxSubjectLength),
            ClientId = new string('c', RefreshTokenEngine.MaxClientIdLength),
            Binding = new string('b', RefreshTokenEngine.MaxBindingLength),
            Metadata = new string('m', RefreshTokenEngine.MaxMetadataLength),
        };
        Assert.True(InputRules.IsWithinLimits(largest));
    }

    [Fact]
    public void Each_other_field_out_of_shape_alone_puts_a_record_outside_limits()
    {
        // Each edit leaves every other field valid, so that no check can stand in for another.
        var outside = new Func<FamilyRecord, FamilyRecord>[]
        {
            f => f with { KeyId = "bad key" },
            f => f with { Policy = f.Policy with { GraceDepth = 0 } },
            f => f with { Generation = -1 },
            f => f with { Generation = f.Policy.MaxGenerations + 1 },
            f => f with { Digest = new byte[15] },
            f => f with { Seal = new byte[17] },
            f => f with { Ledger = "x" },
            f => f with { Status = (FamilyStatus)7 },
            f => f with { RevocationReason = (RevocationReason)99 },
        };
        Assert.All(outside, edit => Assert.False(InputRules.IsWithinLimits(edit(Valid))));
        Assert.True(InputRules.IsWithinLimits(Valid with { Generation = Valid.Policy.MaxGenerations }));
    }

    [Fact]
    public void Text_of_exactly_the_maximum_length_passes()
    {
        InputRules.CheckText(new string('a', 10), "subject", 10);
        InputRules.CheckOptionalText(null, "binding", 10);
        InputRules.CheckOptionalContent("", "metadata", 10);
        InputRules.CheckOptionalContent(new string('a', 10), "metadata", 10);
    }

    [Fact]
    public void Refused_text_names_the_parameter_and_the_rule_but_never_the_value()
    {
        var tooLong = Assert.Throws<ArgumentException>(() => InputRules.CheckText("secret-value-1", "subject", 13));
        Assert.Equal("subject", tooLong.ParamName);
        Assert.Equal("subject is 14 characters; at most 13 are allowed. (Parameter 'subject')", tooLong.Message);

        var nul = Assert.Throws<ArgumentException>(() => InputRules.CheckOptionalContent("secret\0value", "metadata", 100));
        Assert.Equal("metadata contains a NUL character, which not every store can keep. (Parameter 'metadata')", nul.Message);

        var surrogate = Assert.Throws<ArgumentException>(() => InputRules.CheckOptionalText("secret" + '\uD800', "binding", 100));
        Assert.Equal(
            "binding is not well-formed UTF-16 (it has a lone surrogate), which not every store can keep. (Parameter 'binding')",
            surrogate.Message);
    }

    private static FamilyRecord With(string field, string value) => field switch
    {
        nameof(FamilyRecord.Subject) => Valid with { Subject = value },
        nameof(FamilyRecord.ClientId) => Valid with { ClientId = value },
        nameof(FamilyRecord.Binding) => Valid with { Binding = value },
        _ => throw new ArgumentOutOfRangeException(nameof(field)),
    };
}
