using Microsoft.Extensions.Time.Testing;
using RotationEngine.Storage;
using RotationEngine.Testing;

namespace RotationEngine.Tests;

/// <summary>
/// One engine call per store operation the engine makes, set up so that the call under test is the next call of
/// that operation: <see cref="Operation"/> and the 1-based <see cref="Call"/> count at which it happens.
/// </summary>
internal sealed class StoreCallScenario
{
    private static readonly RotationPolicy Policy = new()
    {
        TokenLifetime = TimeSpan.FromHours(1),
        FamilyLifetime = TimeSpan.FromDays(1),
        GraceWindow = TimeSpan.FromSeconds(10),
    };

    public static readonly TheoryData<string> Names =
    [
        "issue", "rotate", "rotate after a slow lost write", "read after a lost write", "rotate after a lost write",
        "grace replay", "reuse", "reuse after a slow write", "revoke token (read)", "revoke token (write)",
        "revoke family", "revoke subject", "list", "get", "prune",
    ];

    private StoreCallScenario(string operation) => Operation = operation;

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    public ScriptedStore Scripted { get; } = new();

    public DeferredStore Store { get; private set; } = null!;

    public RecordingObserver Events { get; } = new();

    public RefreshTokenEngine Engine { get; private set; } = null!;

    /// <summary>The store operation the call under test makes.</summary>
    public string Operation { get; }

    /// <summary>Which call of <see cref="Operation"/> (1-based) is the call under test.</summary>
    public int Call { get; private set; }

    /// <summary>Starts the call under test; its answer as text. (Its own await does not capture a context, so that
    /// a test can observe the engine's.)</summary>
    public Func<ValueTask<string>> Start { get; private set; } = null!;

    /// <summary>What the call answers when the store works.</summary>
    public string Expected { get; private set; } = "";

    /// <summary>The family the call is about (once prepared), to check what it left in the store.</summary>
    public FamilyId? Family { get; private set; }

    public static async Task<StoreCallScenario> PrepareAsync(string name)
    {
        var (operation, later) = name switch
        {
            "issue" => ("Create", 0),
            "rotate" or "rotate after a slow lost write" or "reuse after a slow write" => ("Rotate", 1),
            "rotate after a lost write" => ("Rotate", 2),
            "read after a lost write" or "revoke token (read)" or "get" => ("Find", 1),
            "grace replay" => ("RecordReplay", 1),
            "reuse" or "revoke token (write)" or "revoke family" => ("Revoke", 1),
            "revoke subject" => ("RevokeSubject", 1),
            "list" => ("ListActive", 1),
            "prune" => ("Prune", 1),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
        };

        var scenario = new StoreCallScenario(operation);
        scenario.Store = new DeferredStore(scenario.Scripted);
        scenario.Engine = new RefreshTokenEngine(scenario.Store, new RotationEngineOptions { DefaultPolicy = Policy }, TestKeys.Ring, scenario.Time, observers: [scenario.Events]);
        await scenario.SetUpAsync(name);
        scenario.Call = scenario.Store.Calls(operation) + (operation == "Create" ? 1 : later);
        return scenario;
    }

    private async Task SetUpAsync(string name)
    {
        var engine = Engine;
        if (name == "issue")
        {
            Start = async () => (await engine.IssueAsync("alice", "web").ConfigureAwait(false)).FamilyId == default ? "no id" : "issued";
            Expected = "issued";
            return;
        }

        var first = await engine.IssueAsync("alice", "web");
        Family = first.FamilyId;
        switch (name)
        {
            case "rotate":
                (Start, Expected) = (Rotate(first.Token), "Rotated");
                break;
            case "rotate after a slow lost write":
                // The optimistic write is slow and loses (the family moved on meanwhile): the token is retired by then.
                await engine.RotateAsync(first.Token, "web");
                (Start, Expected) = (Rotate(first.Token), "GraceReplay");
                break;
            case "read after a lost write":
            case "rotate after a lost write":
                var lost = 1;
                Scripted.OnRotated = (command, _) => lost-- > 0 ? null : ScriptedStore.Completed(Scripted.Inner.TryRotateAsync(command));
                (Start, Expected) = (Rotate(first.Token), "Rotated");
                break;
            case "grace replay":
                await engine.RotateAsync(first.Token, "web");
                (Start, Expected) = (Rotate(first.Token), "GraceReplay");
                break;
            case "reuse":
            case "reuse after a slow write":
                await engine.RotateAsync(first.Token, "web");
                Time.Advance(TimeSpan.FromSeconds(11));
                (Start, Expected) = (Rotate(first.Token), "ReuseDetected");
                break;
            case "revoke token (read)":
            case "revoke token (write)":
                (Start, Expected) = (async () => (await engine.RevokeAsync(first.Token, "web").ConfigureAwait(false)).ToString(), "True");
                break;
            case "revoke family":
                (Start, Expected) = (async () => (await engine.RevokeFamilyAsync(first.FamilyId, RevocationReason.SignOut).ConfigureAwait(false)).ToString(), "True");
                break;
            case "revoke subject":
                await engine.IssueAsync("alice", "ios");
                (Start, Expected) = (async () => (await engine.RevokeSubjectAsync("alice", RevocationReason.CredentialsChanged).ConfigureAwait(false)).ToString(), "2");
                break;
            case "list":
                (Start, Expected) = (async () => string.Join(",", (await engine.ListFamiliesAsync("alice").ConfigureAwait(false)).Select(f => f.Id == first.FamilyId)), "True");
                break;
            case "get":
                (Start, Expected) = (async () => (await engine.GetFamilyAsync(first.FamilyId).ConfigureAwait(false))?.Subject ?? "none", "alice");
                break;
            case "prune":
                await engine.RevokeFamilyAsync(first.FamilyId, RevocationReason.SignOut);
                Time.Advance(TimeSpan.FromDays(8));
                (Start, Expected) = (async () => (await engine.PruneAsync().ConfigureAwait(false)).ToString(), "1");
                break;
        }
    }

    private Func<ValueTask<string>> Rotate(string token) => async () => (await Engine.RotateAsync(token, "web").ConfigureAwait(false)).Outcome.ToString();
}
