using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using RotationEngine.Storage;
using RotationEngine.Testing;

namespace RotationEngine.Tests;

/// <summary>
/// The engine's caller-bug checks (thrown before any store call or state change) and the exact texts of its results
/// and errors, which hosts log and match on.
/// </summary>
public sealed class EngineArgumentAndTextTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly ScriptedStore _store = new();

    private RefreshTokenEngine Engine() => new(_store, new RotationEngineOptions(), TestKeys.Ring, _time);

    [Fact]
    public void An_engine_needs_a_store()
    {
        var error = Assert.Throws<ArgumentNullException>(() => new RefreshTokenEngine(null!, new RotationEngineOptions(), TestKeys.Ring, _time));
        Assert.Equal("store", error.ParamName);
    }

    [Fact]
    public void An_engine_needs_options()
    {
        var error = Assert.Throws<ArgumentNullException>(() => new RefreshTokenEngine(_store, null!, TestKeys.Ring, _time));
        Assert.Equal("options", error.ParamName);
    }

    [Fact]
    public async Task The_engine_logs_under_the_category_RotationEngine()
    {
        // Hosts filter on it ("Logging:LogLevel:RotationEngine" in appsettings.json), so it is part of the API.
        using var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        var engine = new RefreshTokenEngine(_store, new RotationEngineOptions(), TestKeys.Ring, _time, factory);

        await engine.RotateAsync(TokenForgery.Random(FamilyId.New(), 0), "web");

        Assert.Equal(["RotationEngine"], logs.Entries.Select(e => e.Category).Distinct());
    }

    [Fact]
    public void Without_keys_the_error_says_how_to_configure_them()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new RefreshTokenEngine(_store, new RotationEngineOptions()));
        Assert.Equal(
            "No server keys are configured. Set RotationEngineOptions.Keys (an id and a base64 secret of at least 32 random bytes) "
            + "or register an IKeyRing. For tests and development only, RotationEngineOptions.AllowEphemeralKey = true (or the Development "
            + "environment) makes the engine generate a key that dies with the process.",
            error.Message);
    }

    [Fact]
    public async Task A_rotation_with_an_invalid_binding_is_a_caller_bug_and_changes_nothing()
    {
        var engine = Engine();
        var issued = await engine.IssueAsync("alice", "web");
        var rotates = _store.Rotates;

        Assert.Equal("binding", Assert.Throws<ArgumentException>(() => engine.RotateAsync(issued.Token, "web", "a\0b")).ParamName);
        Assert.Equal("binding", Assert.Throws<ArgumentException>(() => engine.RotateAsync(issued.Token, "web", new string('b', RefreshTokenEngine.MaxBindingLength + 1))).ParamName);
        Assert.Equal(rotates, _store.Rotates);
        Assert.Equal(RotationOutcome.Rotated, (await engine.RotateAsync(issued.Token, "web")).Outcome);
    }

    [Fact]
    public async Task An_inspection_with_an_invalid_binding_is_a_caller_bug_too()
    {
        var engine = Engine();
        var issued = await engine.IssueAsync("alice", "web");

        Assert.Equal("binding", Assert.Throws<ArgumentException>(() => engine.InspectAsync(issued.Token, "web", "a\0b")).ParamName);
        Assert.Equal("binding", Assert.Throws<ArgumentException>(() => engine.InspectAsync(issued.Token, "web", new string('b', RefreshTokenEngine.MaxBindingLength + 1))).ParamName);
        Assert.Equal("clientId", Assert.Throws<ArgumentException>(() => engine.InspectAsync(issued.Token, "w\0b")).ParamName);
        Assert.Equal(RotationOutcome.Rotated, (await engine.InspectAsync(issued.Token, "web")).Outcome);
    }

    [Fact]
    public async Task An_undefined_revocation_reason_is_a_caller_bug_and_revokes_nothing()
    {
        var engine = Engine();
        var issued = await engine.IssueAsync("alice", "web");
        const RevocationReason undefined = (RevocationReason)99;

        var byToken = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await engine.RevokeAsync(issued.Token, "web", undefined));
        var byFamily = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await engine.RevokeFamilyAsync(issued.FamilyId, undefined));

        foreach (var error in new[] { byToken, byFamily })
        {
            Assert.Equal("reason", error.ParamName);
            Assert.Equal(undefined, error.ActualValue);
            Assert.StartsWith("Not a defined RevocationReason.", error.Message, StringComparison.Ordinal);
        }

        Assert.Equal(0, _store.Revokes);
        Assert.Equal(FamilyStatus.Active, (await engine.GetFamilyAsync(issued.FamilyId))!.Status);
    }

    [Fact]
    public async Task Results_read_as_outcome_cause_family_and_generation()
    {
        var engine = Engine();
        var issued = await engine.IssueAsync("alice", "web");
        var rotated = await engine.RotateAsync(issued.Token, "web");
        var refused = await engine.RotateAsync("garbage", "web");

        Assert.Equal($"IssueResult {{ FamilyId = {issued.FamilyId}, TokenExpiresAt = {issued.TokenExpiresAt:O} }}", issued.ToString());
        Assert.Equal($"Rotated (None) family {issued.FamilyId} generation 1", rotated.ToString());
        Assert.Equal("Invalid (Malformed) family - generation 0", refused.ToString());
        Assert.Equal("Invalid (None) family - generation 0", default(RotationResult).ToString());
        Assert.Null(rotated.OAuthError);
        Assert.Equal("invalid_grant", refused.OAuthError);
    }

    [Fact]
    public async Task A_revocation_reason_is_reported_only_for_a_revoked_family()
    {
        // A row that is active but carries a reason (left behind by a store writer): an answer about the active
        // family does not report it.
        var engine = Engine();
        var issued = await engine.IssueAsync("alice", "web", binding: "jkt");
        _store.OnFind = (_, found) => found! with { RevocationReason = RevocationReason.Compromised };

        var inspected = await engine.InspectAsync(issued.Token, "web", "jkt");
        _time.Advance(new RotationPolicy().TokenLifetime);
        var expired = await engine.RotateAsync(issued.Token, "web", "jkt");

        Assert.Equal(RotationOutcome.Rotated, inspected.Outcome);
        Assert.Null(inspected.RevocationReason);
        Assert.Equal((RotationOutcome.Expired, OutcomeCause.TokenExpired), (expired.Outcome, expired.Cause));
        Assert.Null(expired.RevocationReason);
    }
}
