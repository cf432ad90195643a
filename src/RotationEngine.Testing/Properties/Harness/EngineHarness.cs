using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using RotationEngine.Keys;
using RotationEngine.Storage;
using RotationEngine.Testing.Faults;
using RotationEngine.Testing.Model;

namespace RotationEngine.Testing.Harness;

/// <summary>
/// The system under test for one run: the store (wrapped to inject faults), an engine on a
/// <see cref="FakeTimeProvider"/> with captured logs and events, a second engine under another key sharing the
/// store, and the tokens the simulated clients hold, by model family index and generation. Every store call of the
/// engine under test is counted.
/// </summary>
internal sealed class EngineHarness : IAsyncDisposable
{
    private readonly Dictionary<(int Family, int Generation), string> _tokens = [];
    private readonly System.Text.StringBuilder _serialized = new();
    private readonly IFamilyStore _store;
    private readonly ILoggerFactory _loggers;

    public EngineHarness(IFamilyStore store, ModelSettings settings)
    {
        _store = store;
        Faults = new FaultInjectingFamilyStore(store);
        Calls = new CountingFamilyStore(Faults);
        Time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(ModelSettings.Epoch));
        Time.AutoAdvanceAmount = TimeSpan.Zero;
        var options = settings.ToOptions();
        _loggers = LoggerFactory.Create(builder => builder.AddProvider(Telemetry).SetMinimumLevel(LogLevel.Trace));
        Engine = new RefreshTokenEngine(Calls, options, NewRing("k1"), Time, _loggers, [Telemetry]);
        ForeignEngine = new RefreshTokenEngine(store, settings.ToOptions(), NewRing("foreign"), Time);
    }

    public FaultInjectingFamilyStore Faults { get; }

    /// <summary>Counts the engine's store calls.</summary>
    public CountingFamilyStore Calls { get; }

    public FakeTimeProvider Time { get; }

    public RefreshTokenEngine Engine { get; }

    public RefreshTokenEngine ForeignEngine { get; }

    public CapturedTelemetry Telemetry { get; } = new();

    public List<FamilyId> Ids { get; } = [];

    /// <summary>The store under test, without the fault injection.</summary>
    public IFamilyStore Store => _store;

    /// <summary>Every token seen so far, in the forms the invariant-7 scan looks for.</summary>
    public Checks.SecretScanner Scanner { get; } = new();

    /// <summary>How many captured texts the invariant-7 scan has read.</summary>
    public int ScannedTexts { get; set; }

    /// <summary>The highest generation seen per family (invariant 11).</summary>
    public Dictionary<int, int> LastGenerations { get; } = [];

    public IReadOnlyDictionary<(int Family, int Generation), string> Tokens => _tokens;

    /// <summary>Every result and issue result of the run as JSON, as a host serializing them would write them.</summary>
    public string SerializedResults => _serialized.ToString();

    /// <summary>The host's deliberate mistake, for the suite's teeth tests.</summary>
    public HostFlaw Flaw { get; init; }

    /// <summary>Set once the engine answered differently from the model: later steps are not comparable.</summary>
    public string? DivergedAt { get; set; }

    /// <summary>A token the client holds for the family at the generation, if any (none for a step without them).</summary>
    public string? TokenOf(int? family, int? generation) =>
        family is { } f && generation is { } g ? _tokens.GetValueOrDefault((f, g)) : null;

    public IEnumerable<(int Generation, string Token)> TokensOf(int family) =>
        _tokens.Where(t => t.Key.Family == family).OrderBy(t => t.Key.Generation).Select(t => (t.Key.Generation, t.Value));

    public FamilyRecord? Find(int family) => _store.FindAsync(Ids[family]).AsTask().GetAwaiter().GetResult();

    public Observation Execute(Step step)
    {
        var calls = Calls.Total;
        try
        {
            return ExecuteCore(step) with { StoreCalls = Calls.Total - calls };
        }
        catch (RotationStoreException exception)
        {
            Telemetry.RecordException(exception);
            return new Observation { Faulted = true };
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            Telemetry.RecordException(exception);
            return new Observation { Crash = exception };
        }
        finally
        {
            Faults.Heal();
        }
    }

    private Observation ExecuteCore(Step step)
    {
        switch (step.Kind)
        {
            case StepKind.Issue:
                var issued = Wait(Engine.IssueAsync(step.Subject!, step.ClientId!, step.Binding));
                _serialized.AppendLine(System.Text.Json.JsonSerializer.Serialize(issued));
                Ids.Add(issued.FamilyId);
                _tokens[(step.FamilyIndex, 0)] = issued.Token;
                return new Observation();
            case StepKind.IssueForeign:
                var foreign = Wait(ForeignEngine.IssueAsync(step.Subject!, step.ClientId!));
                Ids.Add(foreign.FamilyId);
                _tokens[(step.FamilyIndex, 0)] = foreign.Token;
                return new Observation();
            case StepKind.Rotate:
            case StepKind.Inspect:
                if (TokenOf(step.Family, step.Generation) is not { } token)
                {
                    return new Observation { Unreachable = true };
                }

                Arm(step.Fault);
                BeforePresenting(token);
                var result = step.Kind == StepKind.Rotate
                    ? Wait(Engine.RotateAsync(token, step.ClientId!, step.Binding))
                    : Wait(Engine.InspectAsync(token, step.ClientId, step.Binding));
                Learn(step.FamilyIndex, result);
                return new Observation { Results = [result] };
            case StepKind.Burst:
                if (TokenOf(step.Family, step.Generation) is not { } shared)
                {
                    return new Observation { Unreachable = true };
                }

                var tasks = Enumerable.Range(0, step.BurstSize).Select(_ => Task.Run(() => Engine.RotateAsync(shared, step.ClientId!, step.Binding).AsTask())).ToArray();
                var results = Task.WhenAll(tasks).GetAwaiter().GetResult();
                foreach (var r in results)
                {
                    Learn(step.FamilyIndex, r);
                }

                return new Observation { Results = [.. results] };
            case StepKind.RevokeToken:
                if (TokenOf(step.Family, step.Generation) is not { } revoked)
                {
                    return new Observation { Unreachable = true };
                }

                return new Observation { Count = Wait(Engine.RevokeAsync(revoked, step.ClientId)) ? 1 : 0 };
            case StepKind.RevokeFamily:
                return new Observation { Count = Wait(Engine.RevokeFamilyAsync(Ids[step.FamilyIndex], RevocationReason.Administrative)) ? 1 : 0 };
            case StepKind.RevokeSubject:
                return new Observation { Count = Wait(Engine.RevokeSubjectAsync(step.Subject!, RevocationReason.SignOut)) };
            case StepKind.ListFamilies:
                return new Observation { Count = Wait(Engine.ListFamiliesAsync(step.Subject!)).Count };
            case StepKind.Prune:
                return new Observation { Count = Wait(Engine.PruneAsync()) };
            case StepKind.Advance:
                Time.Advance(TimeSpan.FromMilliseconds(step.AdvanceMs));
                return new Observation();
            case StepKind.Forge:
                var real = TokenOf(step.Family, step.Generation);
                if (step.Family is not null && real is null)
                {
                    return new Observation { Unreachable = true };
                }

                var peer = step.Peer is { } other ? TokensOf(other).Select(t => t.Token).FirstOrDefault() : null;
                var forged = TokenForger.Build(step.Forgery!, real, peer);
                BeforePresenting(forged);
                if (step.ViaRevoke)
                {
                    return new Observation { Count = Wait(Engine.RevokeAsync(forged, step.ClientId)) ? 1 : 0, Forged = forged };
                }

                var answer = Wait(Engine.RotateAsync(forged, step.ClientId!));
                AfterAnswer(forged, answer);
                return new Observation { Results = [answer], Forged = forged };
            default:
                return new Observation();
        }
    }

    /// <summary>Arms the model's fault for the step's presentation (healed after every step).</summary>
    private void Arm(StoreFault fault)
    {
        switch (fault)
        {
            case StoreFault.Unavailable:
                Faults.FailNext();
                break;
            case StoreFault.ResponseLost:
                Faults.LoseNextResponse(StoreOperations.Rotate);
                break;
        }
    }

    /// <summary>What a flawed host does with a presented string before the engine sees it.</summary>
    private void BeforePresenting(string token)
    {
        switch (Flaw)
        {
            case HostFlaw.LogsTokens:
#pragma warning disable CA1848, CA2254 // the deliberate leak of a careless host
                _loggers.CreateLogger("Host").LogInformation("Refreshing with " + token);
#pragma warning restore CA1848, CA2254
                break;
            case HostFlaw.LooksUpBeforeRotating when RotationEngine.Tokens.TokenFormat.TryDecode(token, out var parts):
                Wait(Engine.GetFamilyAsync(parts.FamilyId));
                break;
        }
    }

    /// <summary>What a flawed host does with the engine's answer.</summary>
    private void AfterAnswer(string token, RotationResult answer)
    {
        if (Flaw == HostFlaw.RevokesOnInvalid && answer.Outcome == RotationOutcome.Invalid && RotationEngine.Tokens.TokenFormat.TryDecode(token, out var parts))
        {
            Wait(Engine.RevokeFamilyAsync(parts.FamilyId, RevocationReason.Compromised));
        }
    }

    /// <summary>Remembers a token the engine handed out. A second, different string for the same generation is
    /// a fork; the first one is kept and the invariant checks see both through the results.</summary>
    private void Learn(int family, RotationResult result)
    {
        _serialized.AppendLine(System.Text.Json.JsonSerializer.Serialize(result));
        if (result.Token is { } token)
        {
            _tokens.TryAdd((family, result.Generation), token);
        }
    }

    private static T Wait<T>(ValueTask<T> pending) => pending.AsTask().GetAwaiter().GetResult();

    private static KeyRing NewRing(string id) => new([new ChainKey(id, RandomNumberGenerator.GetBytes(32))]);

    public async ValueTask DisposeAsync()
    {
        _loggers.Dispose();
        await StoreDisposal.DisposeAsync(_store).ConfigureAwait(false);
    }
}
