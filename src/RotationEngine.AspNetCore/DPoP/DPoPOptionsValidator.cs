using Microsoft.Extensions.Options;

namespace RotationEngine.AspNetCore.DPoP;

/// <summary>Start-up validation of <see cref="DPoPOptions"/>: every problem named, none reaches run time.</summary>
internal sealed class DPoPOptionsValidator : IValidateOptions<DPoPOptions>
{
    public ValidateOptionsResult Validate(string? name, DPoPOptions options)
    {
        var errors = new List<string>();
        foreach (var alg in options.Algorithms)
        {
            if (!DPoPOptions.SupportedAlgorithms.Contains(alg))
            {
                errors.Add($"DPoP:Algorithms has '{alg}'; supported are {string.Join(", ", DPoPOptions.SupportedAlgorithms)} (never none or a symmetric algorithm).");
            }
        }

        if (options.MaxProofLength is < 512 or > 65536)
        {
            errors.Add("DPoP:MaxProofLength must be 512 to 65,536 characters.");
        }

        if (options.ProofLifetime < TimeSpan.FromSeconds(1) || options.ProofLifetime > TimeSpan.FromHours(1))
        {
            errors.Add("DPoP:ProofLifetime must be 1 second to 1 hour.");
        }

        if (options.ClockSkew < TimeSpan.Zero || options.ClockSkew > TimeSpan.FromMinutes(5))
        {
            errors.Add("DPoP:ClockSkew must be 0 to 5 minutes.");
        }

        if (options.NonceLifetime < TimeSpan.FromSeconds(10) || options.NonceLifetime > TimeSpan.FromDays(1))
        {
            errors.Add("DPoP:NonceLifetime must be 10 seconds to 1 day.");
        }

        if (options.NonceKey is { } key)
        {
            var bytes = new byte[key.Length];
            if (!Convert.TryFromBase64String(key, bytes, out var written) || written < 32)
            {
                errors.Add("DPoP:NonceKey must be base64 of at least 32 bytes.");
            }
        }

        if (options.PublicOrigin is { } origin
            && (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp) || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0))
        {
            errors.Add("DPoP:PublicOrigin must be an absolute http(s) URI without user info, query or fragment, e.g. https://auth.example.com.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
