using RotationEngine.Keys;
using RotationEngine.Storage;

namespace RotationEngine.Internal;

/// <summary>
/// What the engine accepts from its caller and from its store. Identities, bindings and metadata must be well-formed
/// UTF-16 without NUL (PostgreSQL cannot store NUL; SQLite and Redis would turn a lone surrogate into U+FFFD, so
/// that two different strings became one), so that every store keeps exactly what it is given (invariant 8).
/// </summary>
internal static class InputRules
{
    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="value"/> is 1 to
    /// <paramref name="maxLength"/> characters of well-formed UTF-16 without NUL.</summary>
    public static void CheckText(string value, string name, int maxLength)
    {
        ArgumentException.ThrowIfNullOrEmpty(value, name);
        CheckContent(value, name, maxLength);
    }

    /// <summary>As <see cref="CheckText"/>, for an optional value (null passes).</summary>
    public static void CheckOptionalText(string? value, string name, int maxLength)
    {
        if (value is not null)
        {
            CheckText(value, name, maxLength);
        }
    }

    /// <summary>As <see cref="CheckOptionalText"/>, but an empty string passes too.</summary>
    public static void CheckOptionalContent(string? value, string name, int maxLength)
    {
        if (value is not null)
        {
            CheckContent(value, name, maxLength);
        }
    }

    /// <summary>Whether a record read back from a store is within the engine's own limits, so that no value in it
    /// can cost more work than the engine would ever do for a record it wrote (a tampered generation, lifetime or
    /// ledger). The seal covers the identity; this covers the shape.</summary>
    public static bool IsWithinLimits(FamilyRecord family) =>
        family.Subject is { Length: > 0 and <= RefreshTokenEngine.MaxSubjectLength }
        && family.ClientId is { Length: > 0 and <= RefreshTokenEngine.MaxClientIdLength }
        && family.Binding is null or { Length: > 0 and <= RefreshTokenEngine.MaxBindingLength }
        && family.Metadata is null or { Length: <= RefreshTokenEngine.MaxMetadataLength }
        && ChainKey.IsValidId(family.KeyId)
        && family.Policy.IsWithinLimits
        && family.Generation >= 0 && family.Generation <= family.Policy.MaxGenerations
        && family.Digest is { Length: FamilyColumns.DigestSize }
        && family.Seal is { Length: FamilyColumns.DigestSize }
        && GraceLedger.IsWellFormed(family.Ledger, family.Policy.GraceDepth)
        && Enum.IsDefined(family.Status)
        && (family.RevocationReason is null || Enum.IsDefined(family.RevocationReason.Value));

    private static void CheckContent(string value, string name, int maxLength)
    {
        if (value.Length > maxLength)
        {
            throw new ArgumentException($"{name} is {value.Length} characters; at most {maxLength} are allowed.", name);
        }

        // PostgreSQL text cannot hold NUL: refuse it everywhere so that every store agrees (invariant 8).
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"{name} contains a NUL character, which not every store can keep.", name);
        }

        if (!IsWellFormedUtf16(value))
        {
            throw new ArgumentException($"{name} is not well-formed UTF-16 (it has a lone surrogate), which not every store can keep.", name);
        }
    }

    /// <summary>Whether every surrogate in <paramref name="value"/> is half of a pair.</summary>
    public static bool IsWellFormedUtf16(ReadOnlySpan<char> value)
    {
        var index = value.IndexOfAnyInRange('\uD800', '\uDFFF');
        if (index < 0)
        {
            return true;
        }

        for (var i = index; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1]))
                {
                    return false;
                }

                i++;
            }
            else if (char.IsLowSurrogate(c))
            {
                return false;
            }
        }

        return true;
    }
}
