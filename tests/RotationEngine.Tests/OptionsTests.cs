using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RotationEngine.Keys;
using RotationEngine.Storage;

namespace RotationEngine.Tests;

public sealed class OptionsTests
{
    public static TheoryData<string, string> InvalidOptions() => new()
    {
        { "TokenLifetime=0", "DefaultPolicy.TokenLifetime" },
        { "FamilyLifetime=-1", "DefaultPolicy.FamilyLifetime" },
        { "GraceWindow=2h", "DefaultPolicy.GraceWindow" },
        { "GraceWindow>=TokenLifetime", "must be shorter than" },
        { "GraceWindow=0.5ms", "whole number of milliseconds" },
        { "GraceDepth=0", "DefaultPolicy.GraceDepth is 0; it must be from 1 to 8" },
        { "GraceDepth=9", "DefaultPolicy.GraceDepth" },
        { "GraceMaxReplays=0", "DefaultPolicy.GraceMaxReplays" },
        { "MaxGenerations=0", "DefaultPolicy.MaxGenerations" },
        { "Retention=-1", "RotationEngineOptions.Retention" },
        { "PruneBatchSize=0", "RotationEngineOptions.PruneBatchSize" },
        { "ShortKey", "Keys['k1'].Secret has 16 bytes" },
        { "BadBase64", "Keys['k1'].Secret is not valid base64" },
        { "BadKeyId", "key id 'bad id!'" },
        { "DuplicateKey", "appears twice" },
        { "UnknownCurrentKey", "CurrentKeyId 'k9'" },
        { "ClientPolicy", "ClientPolicies['spa'].GraceDepth" },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Invalid_options_are_refused_with_a_message_naming_the_option(string change, string expected)
    {
        var options = Apply(change);

        var error = Assert.Throws<OptionsValidationException>(() => new RefreshTokenEngine(new InMemoryFamilyStore(), options));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_options_fail_when_the_engine_is_resolved_from_DI()
    {
        using var provider = new ServiceCollection()
            .AddRotationEngine(o => o.DefaultPolicy = o.DefaultPolicy with { GraceDepth = 0 })
            .UseInMemoryStore()
            .Services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<RefreshTokenEngine>());
        Assert.Contains("GraceDepth", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_are_valid_and_documented_values()
    {
        var policy = RotationPolicy.Default;
        Assert.Empty(policy.Validate());
        Assert.Equal(TimeSpan.FromDays(14), policy.TokenLifetime);
        Assert.Equal(TimeSpan.FromDays(90), policy.FamilyLifetime);
        Assert.Equal(TimeSpan.FromSeconds(10), policy.GraceWindow);
        Assert.Equal(1, policy.GraceDepth);
        Assert.Null(policy.GraceMaxReplays);
        Assert.True(policy.BindingMismatchRevokes);
        Assert.Equal(200_000, policy.MaxGenerations);
        Assert.Equal(TimeSpan.FromDays(7), new RotationEngineOptions().Retention);
    }

    [Fact]
    public void Configured_keys_build_a_ring_with_the_chosen_current_key()
    {
        var options = new RotationEngineOptions();
        options.Keys.Add(new KeyOptions { Id = "old", Secret = Convert.ToBase64String(new byte[32]) });
        options.Keys.Add(new KeyOptions { Id = "new", Secret = Convert.ToBase64String(Enumerable.Repeat((byte)1, 48).ToArray()) });

        Assert.Equal("new", KeyRing.FromOptions(options)!.CurrentKey.Id);
        options.CurrentKeyId = "old";
        var ring = KeyRing.FromOptions(options)!;
        Assert.Equal("old", ring.CurrentKey.Id);
        Assert.NotNull(ring.FindKey("new"));
        Assert.Null(ring.FindKey("other"));
        Assert.Null(KeyRing.FromOptions(new RotationEngineOptions()));
        Assert.Throws<ArgumentException>(() => new ChainKey("k", new byte[31]));
        Assert.Throws<ArgumentException>(() => new KeyRing([]));
        Assert.DoesNotContain(Convert.ToBase64String(new byte[32]), ring.CurrentKey.ToString(), StringComparison.Ordinal);
    }

    private static RotationEngineOptions Apply(string change)
    {
        var options = new RotationEngineOptions();
        var p = options.DefaultPolicy;
        var key = Convert.ToBase64String(new byte[32]);
        switch (change)
        {
            case "TokenLifetime=0": options.DefaultPolicy = p with { TokenLifetime = TimeSpan.Zero }; break;
            case "FamilyLifetime=-1": options.DefaultPolicy = p with { FamilyLifetime = TimeSpan.FromSeconds(-1) }; break;
            case "GraceWindow=2h": options.DefaultPolicy = p with { GraceWindow = TimeSpan.FromHours(2) }; break;
            case "GraceWindow>=TokenLifetime": options.DefaultPolicy = p with { TokenLifetime = TimeSpan.FromSeconds(5), GraceWindow = TimeSpan.FromSeconds(5) }; break;
            case "GraceWindow=0.5ms": options.DefaultPolicy = p with { GraceWindow = TimeSpan.FromTicks(5_000) }; break;
            case "GraceDepth=0": options.DefaultPolicy = p with { GraceDepth = 0 }; break;
            case "GraceDepth=9": options.DefaultPolicy = p with { GraceDepth = 9 }; break;
            case "GraceMaxReplays=0": options.DefaultPolicy = p with { GraceMaxReplays = 0 }; break;
            case "MaxGenerations=0": options.DefaultPolicy = p with { MaxGenerations = 0 }; break;
            case "Retention=-1": options.Retention = TimeSpan.FromDays(-1); break;
            case "PruneBatchSize=0": options.PruneBatchSize = 0; break;
            case "ShortKey": options.Keys.Add(new KeyOptions { Id = "k1", Secret = Convert.ToBase64String(new byte[16]) }); break;
            case "BadBase64": options.Keys.Add(new KeyOptions { Id = "k1", Secret = "***" }); break;
            case "BadKeyId": options.Keys.Add(new KeyOptions { Id = "bad id!", Secret = key }); break;
            case "DuplicateKey":
                options.Keys.Add(new KeyOptions { Id = "k1", Secret = key });
                options.Keys.Add(new KeyOptions { Id = "k1", Secret = key });
                break;
            case "UnknownCurrentKey":
                options.Keys.Add(new KeyOptions { Id = "k1", Secret = key });
                options.CurrentKeyId = "k9";
                break;
            case "ClientPolicy": options.ClientPolicies["spa"] = p with { GraceDepth = 100 }; break;
            default: throw new ArgumentOutOfRangeException(nameof(change));
        }

        return options;
    }
}

public sealed class ConfigurationBindingTests
{
    [Fact]
    public void Options_bind_from_configuration_without_touching_the_shared_default()
    {
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Rotation:DefaultPolicy:GraceWindow"] = "00:00:30",
                ["Rotation:DefaultPolicy:GraceMaxReplays"] = "3",
                ["Rotation:ClientPolicies:spa:GraceDepth"] = "2",
                ["Rotation:Retention"] = "2.00:00:00",
                ["Rotation:Keys:0:Id"] = "k1",
                ["Rotation:Keys:0:Secret"] = Convert.ToBase64String(new byte[32]),
            })
            .Build();
        var options = new RotationEngineOptions();

        Microsoft.Extensions.Configuration.ConfigurationBinder.Bind(configuration.GetSection("Rotation"), options);

        Assert.Equal(TimeSpan.FromSeconds(30), options.DefaultPolicy.GraceWindow);
        Assert.Equal(3, options.DefaultPolicy.GraceMaxReplays);
        Assert.Equal(2, options.ClientPolicies["spa"].GraceDepth);
        Assert.Equal(TimeSpan.FromDays(2), options.Retention);
        Assert.Equal("k1", Assert.Single(options.Keys).Id);
        Assert.Equal(TimeSpan.FromSeconds(10), RotationPolicy.Default.GraceWindow);
        _ = new RefreshTokenEngine(new RotationEngine.Storage.InMemoryFamilyStore(), options);
    }
}
