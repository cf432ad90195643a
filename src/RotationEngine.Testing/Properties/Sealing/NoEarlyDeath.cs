using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using RotationEngine.Keys;
using RotationEngine.Storage;
using RotationEngine.Testing.Model;

namespace RotationEngine.Testing.Sealing;

/// <summary>
/// Invariant 15: a client that refreshes every 5 minutes from sign-in on keeps its session until the family lifetime
/// ends (or, if the token lifetime is shorter than 5 minutes, until its idle expiry), and is then refused as Expired
/// for that reason, never for <see cref="OutcomeCause.GenerationLimit"/>. Under the default policy that is 25,920
/// refreshes over 90 days.
/// </summary>
internal static class NoEarlyDeath
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);

    /// <summary>Runs the session on <paramref name="store"/>; null when it lives its full life, else what went wrong.</summary>
    public static async Task<string?> RunAsync(IFamilyStore store, RotationPolicy policy)
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(ModelSettings.Epoch)) { AutoAdvanceAmount = TimeSpan.Zero };
        var engine = new RefreshTokenEngine(store, new RotationEngineOptions { DefaultPolicy = policy }, new KeyRing([new ChainKey("k1", RandomNumberGenerator.GetBytes(32))]), time);
        var issued = await engine.IssueAsync("alice", "web").ConfigureAwait(false);
        var token = issued.Token;
        var lastIssued = time.GetUtcNow();
        var rotations = 0;
        while (true)
        {
            time.Advance(Interval);
            var now = time.GetUtcNow();
            var result = await engine.RotateAsync(token, "web").ConfigureAwait(false);
            var alive = now < issued.FamilyExpiresAt && now < lastIssued + policy.TokenLifetime;
            if (alive)
            {
                if (result.Outcome != RotationOutcome.Rotated)
                {
                    var signedInAt = issued.FamilyExpiresAt - policy.FamilyLifetime;
                    return $"the session died after {rotations:N0} refreshes every {Interval.TotalMinutes} minutes ({(now - signedInAt).TotalDays:F1} days in), "
                        + $"{(issued.FamilyExpiresAt - now).TotalDays:F1} days before its family lifetime ended: {result.Outcome} ({result.Cause}); MaxGenerations is {policy.MaxGenerations:N0}";
                }

                token = result.Token!;
                lastIssued = now;
                rotations++;
                continue;
            }

            var expected = now >= issued.FamilyExpiresAt ? OutcomeCause.FamilyExpired : OutcomeCause.TokenExpired;
            return result.Outcome == RotationOutcome.Expired && result.Cause == expected
                ? null
                : $"after {rotations:N0} refreshes the session ended with {result.Outcome} ({result.Cause}), not Expired ({expected})";
        }
    }
}
