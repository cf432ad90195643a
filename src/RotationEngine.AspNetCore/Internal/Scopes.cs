namespace RotationEngine.AspNetCore.Internal;

/// <summary>The <c>scope</c> syntax of RFC 6749 §3.3: scope-tokens of %x21 / %x23-5B / %x5D-7E separated by single spaces.</summary>
internal static class Scopes
{
    public static bool IsValid(string scope)
    {
        if (scope.Length == 0 || scope[0] == ' ' || scope[^1] == ' ' || scope.Contains("  ", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in scope)
        {
            if (c != ' ' && (c is < '!' or > '~' || c is '"' or '\\'))
            {
                return false;
            }
        }

        return true;
    }
}
