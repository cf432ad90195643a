using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using RotationEngine.Events;
using RotationEngine.Keys;
using RotationEngine.Storage;
using RotationEngine.Testing.Harness;

namespace RotationEngine.Testing;

/// <summary>
/// Invariant 6 exhaustively on one family: every single-bit flip of every character of its current and of a
/// retired token, every truncation, every bit flip of the decoded payload with a valid checksum (reaching the
/// store), the token re-encoded in standard base64 and with non-canonical spare bits, another family's id, and
/// a token issued under a key the engine does not hold. Each must answer Invalid (Revoke: false) and leave
/// every family, and the event stream, as it was.
/// </summary>
internal static class ExhaustiveForgery
{
    public static async Task<IReadOnlyList<string>> CheckAsync(IFamilyStore store)
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(Model.ModelSettings.Epoch));
        var events = new CapturedTelemetry();
        var options = new RotationEngineOptions();
        var engine = new RefreshTokenEngine(store, options, new KeyRing([new ChainKey("k1", RandomNumberGenerator.GetBytes(32))]), time, observers: [events]);
        var foreign = new RefreshTokenEngine(store, options, new KeyRing([new ChainKey("other", RandomNumberGenerator.GetBytes(32))]), time);

        var victim = await engine.IssueAsync("alice", "web").ConfigureAwait(false);
        var retired = victim.Token;
        var current = (await engine.RotateAsync(retired).ConfigureAwait(false)).Token!;
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

            var payload = TokenFormat.Decode(token);
            for (var offset = 0; offset < TokenFormat.ChecksumOffset; offset++)
            {
                for (var bit = 0; bit < 8; bit++)
                {
                    var flipped = (byte[])payload.Clone();
                    flipped[offset] ^= (byte)(1 << bit);
                    forgeries.Add(($"{name}: payload byte {offset} bit {bit} flipped, checksum recomputed", TokenFormat.EncodeWithChecksum(flipped)));
                }
            }

            forgeries.Add(($"{name}: standard base64", TokenFormat.Prefix + Convert.ToBase64String(payload)));
            var borrowed = (byte[])payload.Clone();
            bystander.FamilyId.WriteBytes(borrowed);
            forgeries.Add(($"{name}: another family's id", TokenFormat.EncodeWithChecksum(borrowed)));
            const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
            var last = alphabet.IndexOf(token[^1], StringComparison.Ordinal);
            for (var spare = 1; spare < 4; spare++)
            {
                forgeries.Add(($"{name}: non-canonical spare bits {spare}", token[..^1] + alphabet[last ^ spare]));
            }
        }

        forgeries.Add(("a token issued under an unknown key", alien.Token));

        var failures = new List<string>();
        var before = await SnapshotAsync(store, ids).ConfigureAwait(false);
        foreach (var (label, text) in forgeries)
        {
            if (text == current || text == retired)
            {
                continue;
            }

            var answer = await engine.RotateAsync(text).ConfigureAwait(false);
            var revoked = await engine.RevokeAsync(text).ConfigureAwait(false);
            if (answer.Outcome != RotationOutcome.Invalid || answer.Token is not null || revoked)
            {
                failures.Add($"{Invariant.ForgeryIsHarmless.Describe()}: {label} got {answer.Outcome}{(revoked ? " and revoked the family" : "")}");
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

        var genuine = await engine.InspectAsync(current).ConfigureAwait(false);
        if (genuine.Outcome != RotationOutcome.Rotated)
        {
            failures.Add($"{Invariant.ForgeryIsHarmless.Describe()}: after the forgeries the genuine current token gets {genuine.Outcome}");
        }

        return failures;
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
