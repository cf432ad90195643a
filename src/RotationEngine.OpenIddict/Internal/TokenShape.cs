using RotationEngine.Tokens;

namespace RotationEngine.OpenIddict.Internal;

/// <summary>Tells, by its shape alone and in time bounded by a constant, what kind of string a presented token is.</summary>
internal static class TokenShape
{
    /// <summary>Longer strings are not examined character by character.</summary>
    private const int MaxExamined = 16 * 1024;

    /// <summary>OpenIddict's reference identifiers: 256 random bits, base64url.</summary>
    private const int ReferenceIdLength = 43;

    /// <summary>Whether the string claims to be an engine token (its prefix); the engine decides whether it is one.</summary>
    public static bool IsEngineToken(string? token) => token is not null && token.StartsWith(TokenFormat.Prefix, StringComparison.Ordinal);

    /// <summary>Whether the string looks like a token OpenIddict issues itself: a JWT/JWE (3 or 5 base64url segments) or
    /// a reference identifier.</summary>
    public static bool IsOpenIddictToken(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > MaxExamined)
        {
            return false;
        }

        var dots = 0;
        foreach (var c in token)
        {
            if (c == '.')
            {
                dots++;
            }
            else if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                return false;
            }
        }

        return dots is 2 or 4 || (dots == 0 && token.Length == ReferenceIdLength);
    }

    /// <summary>A word for the logs, never the string itself.</summary>
    public static string Describe(string? token) => IsOpenIddictToken(token) ? "OpenIddict token" : string.IsNullOrEmpty(token) ? "empty" : "unrecognised";
}
