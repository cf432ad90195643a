using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RotationEngine.Keys;
using RotationEngine.Storage;

namespace RotationEngine.Tests;

/// <summary>
/// Every range in <see cref="RotationPolicy.Validate"/> and the options validator at both of its ends, and the exact
/// message of each refusal: the last value accepted passes, the first value refused fails with the one message that
/// names the option and its range (docs/semantics.md §6: "validated at start-up with a clear message").
/// </summary>
public sealed class OptionsBoundaryTests
{
    private static readonly string Key32 = Convert.ToBase64String(new byte[32]);

    public static TheoryData<string, Func<RotationPolicy, RotationPolicy>> AcceptedPolicies() => new()
    {
        { "TokenLifetime = 1 s", p => p with { TokenLifetime = TimeSpan.FromSeconds(1), GraceWindow = TimeSpan.Zero } },
        { "TokenLifetime = 3650 d", p => p with { TokenLifetime = TimeSpan.FromDays(3650) } },
        { "FamilyLifetime = 1 s", p => p with { FamilyLifetime = TimeSpan.FromSeconds(1) } },
        { "FamilyLifetime = 3650 d", p => p with { FamilyLifetime = TimeSpan.FromDays(3650) } },
        { "GraceWindow = 0", p => p with { GraceWindow = TimeSpan.Zero } },
        { "GraceWindow = 1 h", p => p with { GraceWindow = TimeSpan.FromHours(1) } },
        { "GraceWindow = 1 ms", p => p with { GraceWindow = TimeSpan.FromMilliseconds(1) } },
        { "GraceWindow just under TokenLifetime", p => p with { TokenLifetime = TimeSpan.FromSeconds(5), GraceWindow = TimeSpan.FromMilliseconds(4_999) } },
        { "GraceDepth = 1", p => p with { GraceDepth = 1 } },
        { "GraceDepth = 8", p => p with { GraceDepth = RotationPolicy.MaxGraceDepth } },
        { "GraceMaxReplays = 1", p => p with { GraceMaxReplays = 1 } },
        { "GraceMaxReplays = 65535", p => p with { GraceMaxReplays = 65_535 } },
        { "MaxGenerations = 1", p => p with { MaxGenerations = 1 } },
        { "MaxGenerations = 1000000", p => p with { MaxGenerations = 1_000_000 } },
    };

    [Theory]
    [MemberData(nameof(AcceptedPolicies))]
    public void The_last_value_of_each_policy_range_is_accepted(string name, Func<RotationPolicy, RotationPolicy> change)
    {
        var policy = change(RotationPolicy.Default);

        Assert.True(!policy.Validate().Any(), name);
        var options = new RotationEngineOptions { DefaultPolicy = policy };
        options.ClientPolicies["spa"] = policy;
        _ = new RefreshTokenEngine(new InMemoryFamilyStore(), options, Testing.TestKeys.Ring);
    }

    public static TheoryData<Func<RotationPolicy, RotationPolicy>, string> RefusedPolicies() => new()
    {
        { p => p with { TokenLifetime = TimeSpan.FromMilliseconds(999), GraceWindow = TimeSpan.Zero }, "P.TokenLifetime is 00:00:00.9990000; it must be from 00:00:01 to 3650.00:00:00." },
        { p => p with { TokenLifetime = TimeSpan.FromDays(3650) + TimeSpan.FromMilliseconds(1) }, "P.TokenLifetime is 3650.00:00:00.0010000; it must be from 00:00:01 to 3650.00:00:00." },
        { p => p with { TokenLifetime = TimeSpan.FromDays(1) + TimeSpan.FromTicks(1) }, "P.TokenLifetime is 1.00:00:00.0000001; it must be a whole number of milliseconds." },
        { p => p with { FamilyLifetime = TimeSpan.FromMilliseconds(999) }, "P.FamilyLifetime is 00:00:00.9990000; it must be from 00:00:01 to 3650.00:00:00." },
        { p => p with { FamilyLifetime = TimeSpan.FromDays(3650) + TimeSpan.FromMilliseconds(1) }, "P.FamilyLifetime is 3650.00:00:00.0010000; it must be from 00:00:01 to 3650.00:00:00." },
        { p => p with { FamilyLifetime = TimeSpan.FromDays(1) + TimeSpan.FromTicks(9_999) }, "P.FamilyLifetime is 1.00:00:00.0009999; it must be a whole number of milliseconds." },
        { p => p with { GraceWindow = TimeSpan.FromMilliseconds(-1) }, "P.GraceWindow is -00:00:00.0010000; it must be from 00:00:00 to 01:00:00." },
        { p => p with { GraceWindow = TimeSpan.FromHours(1) + TimeSpan.FromMilliseconds(1) }, "P.GraceWindow is 01:00:00.0010000; it must be from 00:00:00 to 01:00:00." },
        { p => p with { TokenLifetime = TimeSpan.FromSeconds(5), GraceWindow = TimeSpan.FromSeconds(5) }, "P.GraceWindow (00:00:05) must be shorter than P.TokenLifetime (00:00:05)." },
        { p => p with { TokenLifetime = TimeSpan.FromSeconds(5), GraceWindow = TimeSpan.FromSeconds(6) }, "P.GraceWindow (00:00:06) must be shorter than P.TokenLifetime (00:00:05)." },
        { p => p with { GraceDepth = 0 }, "P.GraceDepth is 0; it must be from 1 to 8." },
        { p => p with { GraceDepth = 9 }, "P.GraceDepth is 9; it must be from 1 to 8." },
        { p => p with { GraceMaxReplays = 0 }, "P.GraceMaxReplays is 0; it must be null (unlimited) or from 1 to 65535." },
        { p => p with { GraceMaxReplays = 65_536 }, "P.GraceMaxReplays is 65536; it must be null (unlimited) or from 1 to 65535." },
        { p => p with { MaxGenerations = 0 }, "P.MaxGenerations is 0; it must be from 1 to 1000000." },
        { p => p with { MaxGenerations = 1_000_001 }, "P.MaxGenerations is 1000001; it must be from 1 to 1000000." },
    };

    [Theory]
    [MemberData(nameof(RefusedPolicies))]
    public void The_first_value_past_each_policy_range_is_refused_with_one_exact_message(Func<RotationPolicy, RotationPolicy> change, string expected)
    {
        var policy = change(RotationPolicy.Default);

        Assert.Equal([expected], policy.Validate("P"));
        Assert.Equal([expected.Replace("P.", "RotationPolicy.", StringComparison.Ordinal)], policy.Validate());
    }

    [Fact]
    public void A_policy_with_several_faults_lists_each_in_order()
    {
        var policy = new RotationPolicy
        {
            TokenLifetime = TimeSpan.Zero,
            FamilyLifetime = TimeSpan.Zero,
            GraceWindow = TimeSpan.FromHours(2),
            GraceDepth = 0,
            GraceMaxReplays = 0,
            MaxGenerations = 0,
        };

        Assert.Equal(
            [
                "P.TokenLifetime is 00:00:00; it must be from 00:00:01 to 3650.00:00:00.",
                "P.FamilyLifetime is 00:00:00; it must be from 00:00:01 to 3650.00:00:00.",
                "P.GraceWindow is 02:00:00; it must be from 00:00:00 to 01:00:00.",
                "P.GraceWindow (02:00:00) must be shorter than P.TokenLifetime (00:00:00).",
                "P.GraceDepth is 0; it must be from 1 to 8.",
                "P.GraceMaxReplays is 0; it must be null (unlimited) or from 1 to 65535.",
                "P.MaxGenerations is 0; it must be from 1 to 1000000.",
            ],
            policy.Validate("P"));
    }

    public static TheoryData<string, Action<RotationEngineOptions>, string[]> Options() => new()
    {
        { "Retention = 0", o => o.Retention = TimeSpan.Zero, [] },
        { "Retention = 3650 d", o => o.Retention = TimeSpan.FromDays(3650), [] },
        { "Retention = -1 tick", o => o.Retention = TimeSpan.FromTicks(-1), ["RotationEngineOptions.Retention is -00:00:00.0000001; it must be from 00:00:00 to 3650.00:00:00."] },
        { "Retention = 3650 d + 1 tick", o => o.Retention = TimeSpan.FromDays(3650) + TimeSpan.FromTicks(1), ["RotationEngineOptions.Retention is 3650.00:00:00.0000001; it must be from 00:00:00 to 3650.00:00:00."] },
        { "PruneBatchSize = 1", o => o.PruneBatchSize = 1, [] },
        { "PruneBatchSize = 100000", o => o.PruneBatchSize = 100_000, [] },
        { "PruneBatchSize = 0", o => o.PruneBatchSize = 0, ["RotationEngineOptions.PruneBatchSize is 0; it must be from 1 to 100000."] },
        { "PruneBatchSize = 100001", o => o.PruneBatchSize = 100_001, ["RotationEngineOptions.PruneBatchSize is 100001; it must be from 1 to 100000."] },
        { "DefaultPolicy = null", o => o.DefaultPolicy = null!, ["RotationEngineOptions.DefaultPolicy is required."] },
        { "DefaultPolicy invalid", o => o.DefaultPolicy = o.DefaultPolicy with { GraceDepth = 0 }, ["RotationEngineOptions.DefaultPolicy.GraceDepth is 0; it must be from 1 to 8."] },
        {
            "two client policies, one null",
            o =>
            {
                o.ClientPolicies["a"] = null!;
                o.ClientPolicies["b"] = RotationPolicy.Default with { MaxGenerations = 0, GraceDepth = 9 };
            },
            [
                "RotationEngineOptions.ClientPolicies['a'] is null.",
                "RotationEngineOptions.ClientPolicies['b'].GraceDepth is 9; it must be from 1 to 8.",
                "RotationEngineOptions.ClientPolicies['b'].MaxGenerations is 0; it must be from 1 to 1000000.",
            ]
        },
        { "a null key", o => o.Keys.Add(null!), ["RotationEngineOptions.Keys holds a null entry."] },
        {
            "a null key, then a good one",
            o =>
            {
                o.Keys.Add(null!);
                o.Keys.Add(new KeyOptions { Id = "k1", Secret = Key32 });
            },
            ["RotationEngineOptions.Keys holds a null entry."]
        },
        { "a 32-byte key", o => o.Keys.Add(new KeyOptions { Id = "k1", Secret = Key32 }), [] },
        {
            "a 31-byte key",
            o => o.Keys.Add(new KeyOptions { Id = "k1", Secret = Convert.ToBase64String(new byte[31]) }),
            ["RotationEngineOptions.Keys['k1'].Secret has 31 bytes; it must have at least 32 (base64 of 32 random bytes)."]
        },
        { "an empty secret", o => o.Keys.Add(new KeyOptions { Id = "k1", Secret = "" }), ["RotationEngineOptions.Keys['k1'].Secret has 0 bytes; it must have at least 32 (base64 of 32 random bytes)."] },
        { "a null secret", o => o.Keys.Add(new KeyOptions { Id = "k1", Secret = null! }), ["RotationEngineOptions.Keys['k1'].Secret has 0 bytes; it must have at least 32 (base64 of 32 random bytes)."] },
        { "bad base64", o => o.Keys.Add(new KeyOptions { Id = "k1", Secret = "not base64!" }), ["RotationEngineOptions.Keys['k1'].Secret is not valid base64."] },
        {
            "a bad id and a short secret",
            o => o.Keys.Add(new KeyOptions { Id = "", Secret = Convert.ToBase64String(new byte[8]) }),
            [
                "RotationEngineOptions.Keys: key id '' must be 1 to 64 characters of letters, digits, '.', '_' or '-'.",
                "RotationEngineOptions.Keys[''].Secret has 8 bytes; it must have at least 32 (base64 of 32 random bytes).",
            ]
        },
        {
            "a duplicate id, three times",
            o =>
            {
                o.Keys.Add(new KeyOptions { Id = "k1", Secret = Key32 });
                o.Keys.Add(new KeyOptions { Id = "k2", Secret = Key32 });
                o.Keys.Add(new KeyOptions { Id = "k1", Secret = Key32 });
            },
            ["RotationEngineOptions.Keys: key id 'k1' appears twice."]
        },
        {
            "current key id present",
            o =>
            {
                o.Keys.Add(new KeyOptions { Id = "k1", Secret = Key32 });
                o.Keys.Add(new KeyOptions { Id = "k2", Secret = Convert.ToBase64String(Enumerable.Repeat((byte)7, 32).ToArray()) });
                o.CurrentKeyId = "k1";
            },
            []
        },
        {
            "current key id with a null key beside it",
            o =>
            {
                o.Keys.Add(null!);
                o.CurrentKeyId = "k1";
            },
            ["RotationEngineOptions.Keys holds a null entry.", "RotationEngineOptions.CurrentKeyId 'k1' names no key in RotationEngineOptions.Keys."]
        },
        {
            "current key id of another case",
            o =>
            {
                o.Keys.Add(new KeyOptions { Id = "k1", Secret = Key32 });
                o.CurrentKeyId = "K1";
            },
            ["RotationEngineOptions.CurrentKeyId 'K1' names no key in RotationEngineOptions.Keys."]
        },
    };

    [Theory]
    [MemberData(nameof(Options))]
    public void Engine_options_are_checked_at_both_ends_of_each_range(string name, Action<RotationEngineOptions> change, string[] expected)
    {
        var options = new RotationEngineOptions();
        change(options);

        var thrown = Record.Exception(() => new RefreshTokenEngine(new InMemoryFamilyStore(), options, Testing.TestKeys.Ring));
        using var provider = new ServiceCollection()
            .AddRotationEngine(o => change(o))
            .UseInMemoryStore()
            .Services.BuildServiceProvider();
        var validated = provider.GetRequiredService<IOptions<RotationEngineOptions>>();

        if (expected.Length == 0)
        {
            Assert.True(thrown is null, $"{name}: {thrown}");
            Assert.NotNull(validated.Value);
            return;
        }

        var error = Assert.IsType<OptionsValidationException>(thrown);
        Assert.Equal(expected, error.Failures);
        Assert.Equal(nameof(RotationEngineOptions), error.OptionsName);
        Assert.Equal(typeof(RotationEngineOptions), error.OptionsType);
        var fromDi = Assert.Throws<OptionsValidationException>(() => validated.Value);
        Assert.Equal(expected, fromDi.Failures);
    }
}
