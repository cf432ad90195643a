namespace RotationEngine.Benchmarks.Infrastructure;

/// <summary>
/// The current tokens of a set of families, rotated round-robin. A family that reaches its generation limit
/// (a million rotations) is replaced by a new one, so that a run of any length measures rotations only.
/// </summary>
internal sealed class TokenPool
{
    private readonly RefreshTokenEngine _engine;
    private readonly string[] _tokens;
    private int _next;

    public TokenPool(RefreshTokenEngine engine, int families)
    {
        _engine = engine;
        _tokens = new string[families];
        for (var i = 0; i < families; i++)
        {
            _tokens[i] = Issue();
        }
    }

    public async ValueTask<string> RotateNextAsync()
    {
        var i = _next;
        _next = i + 1 == _tokens.Length ? 0 : i + 1;
        var result = await _engine.RotateAsync(_tokens[i], EngineFixture.Rolling);
        if (result.Token is { } token)
        {
            return _tokens[i] = token;
        }

        return result.Cause == OutcomeCause.GenerationLimit
            ? _tokens[i] = Issue()
            : throw new InvalidOperationException($"Rotate failed: {result.Outcome} ({result.Cause}).");
    }

    private string Issue() => _engine.IssueAsync(EngineFixture.Subject, EngineFixture.Rolling).AsTask().GetAwaiter().GetResult().Token;
}
