using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using RotationEngine.Events;
using RotationEngine.Keys;
using RotationEngine.Storage;
using RotationEngine.Testing.Harness;
using RotationEngine.Tokens;

namespace RotationEngine.Testing;

/// <summary>
/// Invariants 6 and 12 exhaustively on one family: every single-bit flip of every character of its current and of a
/// retired token, every truncation, every bit flip of every field of the decoded token (fingerprint, family id,
/// generation, issue time, secret, tag) re-encoded, the old and an upper-case prefix, another family's id, and a token
/// issued under a key the engine does not hold. Each must answer Invalid (Revoke: false) without a single store call,
/// and leave every family, and the event stream, as it was.
/// </summary>
internal static class ExhaustiveForgery
{
    public static async Task<IReadOnlyList<string>> CheckAsync(IFamilyStore store, HostFlaw flaw = HostFlaw.None)
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(Model.ModelSettings.Epoch));
        var events = new CapturedTelemetry();
        var options = new RotationEngineOptions();
        var keys = new KeyRing([new ChainKey("k1", RandomNumberGenerator.GetBytes(32))]);
        var engine = new RefreshTokenEngine(store, options, keys, time, observers: [events]);
        var foreign = new RefreshTokenEngine(store, options, new KeyRing([new ChainKey("other", RandomNumberGenerator.GetBytes(32))]), time);

        var victim = await engine.IssueAsync("alice", "web").ConfigureAwait(false);
        var retired = victim.Token;
        var current = (await engine.RotateAsync(retired, "web").ConfigureAwait(false)).Token!;
        var bystander = await engine.IssueAsync("bob", "web").ConfigureAwait(false);
        var alien = await foreign.IssueAsync("mallory", "web").ConfigureAwait(false);
        var ids = new[] { victim.FamilyId, bystander.FamilyId, alien.FamilyId };

        var forgeries = new List<(string Label, string Text)>();
        foreach (var (name, token) in new[] { ("current", current), ("retired", retired) })
        {
            for (var i = 0; i < token.Length; i++)
            {
                for (var bit = 0; bit < 8; bit++)
                {
                    var chars = token.ToCharArray();
                    chars[i] = (char)(chars[i] ^ (1 << bit));
                    forgeries.Add(($"{name}: bit {bit} of char {i} flipped", new string(chars)));
                }

                forgeries.Add(($"{name}: truncated to {i}", token[..i]));
            }

            TokenFormat.TryDecode(token, out var parts);
            for (var bit = 0; bit < 32; bit++)
            {
                forgeries.Add(($"{name}: fingerprint bit {bit}", TokenFormat.Encode(parts! with { KeyFingerprint = parts.KeyFingerprint ^ (1u << bit) })));
                forgeries.Add(($"{name}: generation bit {bit}", TokenFormat.Encode(parts! with { Generation = parts.Generation ^ (1 << bit) })));
            }

            for (var bit = 0; bit < 48; bit++)
            {
                forgeries.Add(($"{name}: issue time bit {bit}", TokenFormat.Encode(parts! with { IssuedAt = parts.IssuedAt ^ (1L << bit) })));
            }

            for (var bit = 0; bit < 8 * FamilyId.Size; bit++)
            {
                var id = parts!.FamilyId.ToByteArray();
                id[bit / 8] ^= (byte)(1 << (bit % 8));
                forgeries.Add(($"{name}: family id bit {bit}", TokenFormat.Encode(parts with { FamilyId = FamilyId.FromBytes(id) })));
            }

            for (var bit = 0; bit < 8 * TokenFormat.SecretSize; bit++)
            {
                forgeries.Add(($"{name}: secret bit {bit}", TokenFormat.Encode(parts! with { Secret = Flip(parts.Secret, bit) })));
            }

            for (var bit = 0; bit < 8 * TokenFormat.TagSize; bit++)
            {
                forgeries.Add(($"{name}: tag bit {bit}", TokenFormat.Encode(parts! with { Tag = Flip(parts.Tag, bit) })));
            }

            forgeries.Add(($"{name}: another family's id", TokenFormat.Encode(parts! with { FamilyId = bystander.FamilyId })));
            forgeries.Add(($"{name}: the version 1 prefix", "rt1_" + token[TokenFormat.Prefix.Length..]));
            forgeries.Add(($"{name}: an upper-case prefix", TokenFormat.Prefix.ToUpperInvariant() + token[TokenFormat.Prefix.Length..]));
        }

        forgeries.Add(("a token issued under an unknown key", alien.Token));

        var failures = new List<string>();
        var before = await SnapshotAsync(store, ids).ConfigureAwait(false);
        var counting = new CountingFamilyStore(store);
        var observed = new RefreshTokenEngine(counting, options, keys, time, observers: [events]);
        foreach (var (label, text) in forgeries)
        {
            if (text == current || text == retired)
            {
                continue;
            }

            var calls = counting.Total;
            if (flaw == HostFlaw.LooksUpBeforeRotating && TokenFormat.TryDecode(text, out var claimed))
            {
                await observed.GetFamilyAsync(claimed.FamilyId).ConfigureAwait(false);
            }

            var answer = await observed.RotateAsync(text, "web").ConfigureAwait(false);
            if (flaw == HostFlaw.RevokesOnInvalid && answer.Outcome == RotationOutcome.Invalid && TokenFormat.TryDecode(text, out var named))
            {
                await engine.RevokeFamilyAsync(named.FamilyId, RevocationReason.Compromised).ConfigureAwait(false);
            }

            var revoked = await observed.RevokeAsync(text).ConfigureAwait(false);
            if (answer.Outcome != RotationOutcome.Invalid || answer.Token is not null || revoked)
            {
                failures.Add($"{Invariant.ForgeryIsHarmless.Describe()}: {label} got {answer.Outcome}{(revoked ? " and revoked the family" : "")}");
            }

            if (counting.Total != calls)
            {
                failures.Add($"{Invariant.ForgeryIsFree.Describe()}: {label} cost {counting.Total - calls} store call(s)");
            }
        }

        var after = await SnapshotAsync(store, ids).ConfigureAwait(false);
        for (var i = 0; i < ids.Length; i++)
        {
            if (before[i] != after[i])
            {
                failures.Add($"{Invariant.ForgeryIsHarmless.Describe()}: {forgeries.Count} forgeries changed family {i}: {before[i]} -> {after[i]}");
            }
        }

        if (events.Events.FirstOrDefault(e => e.Kind != RotationEventKind.Invalid) is { } stray)
        {
            failures.Add($"{Invariant.ForgeryIsHarmless.Describe()}: a forgery raised a {stray.Kind} event");
        }

        var genuine = await engine.InspectAsync(current, "web").ConfigureAwait(false);
        if (genuine.Outcome != RotationOutcome.Rotated)
        {
            failures.Add($"{Invariant.ForgeryIsHarmless.Describe()}: after the forgeries the genuine current token gets {genuine.Outcome}");
        }

        return failures;
    }

    private static byte[] Flip(byte[] bytes, int bit)
    {
        var copy = bytes.ToArray();
        copy[bit / 8] ^= (byte)(1 << (bit % 8));
        return copy;
    }

    private static async Task<List<string>> SnapshotAsync(IFamilyStore store, FamilyId[] ids)
    {
        var states = new List<string>();
        foreach (var id in ids)
        {
            var f = await store.FindAsync(id).ConfigureAwait(false);
            states.Add(f is null ? "absent" : $"{f.Status} gen {f.Generation} exp {f.TokenExpiresAt.ToUnixTimeMilliseconds()} ledger {f.Ledger} digest {Convert.ToHexString(f.Digest)}");
        }

        return states;
    }
}
