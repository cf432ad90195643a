using System.Text;
using RotationEngine.Storage;
using RotationEngine.Tokens;

namespace RotationEngine.Testing.Checks;

/// <summary>Searches text and bytes for any form of a token, its secret or its tag: the token string, its base64url
/// body, the secret and tag in hex, base64 and base64url, and the raw secret and token bytes (UTF-8 and UTF-16).</summary>
internal sealed class SecretScanner
{
    private readonly HashSet<string> _seen = [];
    private readonly List<(string Label, string Text)> _textForms = [];
    private readonly List<(string Label, byte[] Bytes)> _byteForms = [];

    public void Add(string token)
    {
        if (!_seen.Add(token))
        {
            return;
        }

        if (!TokenFormat.TryDecode(token, out var parts))
        {
            return;
        }

        _textForms.Add(("token", token));
        _textForms.Add(("token body", token[TokenFormat.Prefix.Length..]));
        foreach (var (name, bytes) in new[] { ("secret", parts.Secret), ("tag", parts.Tag) })
        {
            var hex = Convert.ToHexString(bytes);
            _textForms.Add(($"{name} hex", hex));
            _textForms.Add(($"{name} hex", hex.ToLowerInvariant()));
            _textForms.Add(($"{name} base64", Convert.ToBase64String(bytes).TrimEnd('=')));
            _textForms.Add(($"{name} base64url", System.Buffers.Text.Base64Url.EncodeToString(bytes)));
        }

        _byteForms.Add(("raw secret", parts.Secret));
        _byteForms.Add(("raw tag", parts.Tag));
        _byteForms.Add(("token UTF-8", Encoding.UTF8.GetBytes(token)));
        _byteForms.Add(("token UTF-16", Encoding.Unicode.GetBytes(token)));
    }

    public int Count => _seen.Count;

    /// <summary>The first secret form found in <paramref name="text"/>, or null.</summary>
    public string? FindIn(string text)
    {
        foreach (var (label, form) in _textForms)
        {
            if (text.Contains(form, StringComparison.Ordinal))
            {
                return label;
            }
        }

        return null;
    }

    /// <summary>The first secret form found in <paramref name="bytes"/>, or null.</summary>
    public string? FindIn(ReadOnlySpan<byte> bytes)
    {
        foreach (var (label, form) in _byteForms)
        {
            if (bytes.IndexOf(form) >= 0)
            {
                return label;
            }
        }

        return FindIn(Encoding.Latin1.GetString(bytes));
    }

    /// <summary>Every field of a stored family, as text and bytes, for scanning.</summary>
    public static (string Text, byte[] Bytes) Dump(FamilyRecord family) =>
        ($"{family.Id}|{family.Subject}|{family.ClientId}|{family.Binding}|{family.KeyId}|{family.Metadata}|{family.Ledger}|{Convert.ToHexString(family.Digest)}|{Convert.ToBase64String(family.Digest)}|{Convert.ToHexString(family.Seal)}|{family.Status}|{family.RevocationReason}",
         [.. family.Digest, .. family.Seal]);
}
