using Microsoft.Extensions.Options;
using RotationEngine.AspNetCore.Clients;
using RotationEngine.AspNetCore.Hosting;

namespace RotationEngine.AspNetCore.Internal;

/// <summary>Validates the package's options at start-up; each message names the option and what is allowed.</summary>
internal sealed class EndpointOptionsValidator :
    IValidateOptions<RotationEndpointOptions>, IValidateOptions<PruningOptions>, IValidateOptions<RotationClientsOptions>
{
    public ValidateOptionsResult Validate(string? name, RotationEndpointOptions options)
    {
        var errors = new List<string>();
        CheckPath(errors, nameof(options.TokenPath), options.TokenPath);
        CheckPath(errors, nameof(options.RevocationPath), options.RevocationPath);
        if (string.Equals(options.TokenPath, options.RevocationPath, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add($"RotationEndpointOptions.TokenPath and RevocationPath are both '{options.TokenPath}'; they must differ.");
        }

        if (options.Realm is not { Length: >= 1 and <= 64 } realm || realm.Any(c => c is < ' ' or > '~' or '"' or '\\'))
        {
            errors.Add($"RotationEndpointOptions.Realm is '{options.Realm}'; it must be 1 to 64 printable ASCII characters without '\"' or '\\'.");
        }

        if (options.MaxFormBytes is < 256 or > 1024 * 1024)
        {
            errors.Add($"RotationEndpointOptions.MaxFormBytes is {options.MaxFormBytes}; it must be from 256 to 1048576.");
        }

        if (options.RetryAfter < TimeSpan.FromSeconds(1) || options.RetryAfter > TimeSpan.FromHours(1) || options.RetryAfter.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            errors.Add($"RotationEndpointOptions.RetryAfter is {options.RetryAfter}; it must be whole seconds from 00:00:01 to 01:00:00.");
        }

        if (options.RateLimiterPolicy is { } policy && string.IsNullOrWhiteSpace(policy))
        {
            errors.Add("RotationEndpointOptions.RateLimiterPolicy is blank; name a policy or leave it null.");
        }

        return Result(errors);
    }

    public ValidateOptionsResult Validate(string? name, PruningOptions options)
    {
        var errors = new List<string>();
        if (options.Interval < TimeSpan.FromSeconds(1) || options.Interval > TimeSpan.FromDays(7))
        {
            errors.Add($"PruningOptions.Interval is {options.Interval}; it must be from 00:00:01 to 7.00:00:00.");
        }

        if (options.Jitter < TimeSpan.Zero || options.Jitter > options.Interval)
        {
            errors.Add($"PruningOptions.Jitter is {options.Jitter}; it must be from 00:00:00 to the Interval ({options.Interval}).");
        }

        return Result(errors);
    }

    public ValidateOptionsResult Validate(string? name, RotationClientsOptions options)
    {
        var errors = new List<string>();
        foreach (var (id, client) in options.Clients)
        {
            if (id.Length is 0 or > RefreshTokenEngine.MaxClientIdLength || !OAuthForm.IsVisibleAscii(id))
            {
                errors.Add($"Clients: the client id '{id}' must be 1 to {RefreshTokenEngine.MaxClientIdLength} printable ASCII characters.");
            }

            if (client.Secrets.Any(string.IsNullOrEmpty))
            {
                errors.Add($"Clients:{id}:Secrets holds an empty secret; a public client has no Secrets at all.");
            }

            foreach (var digest in client.SecretDigests)
            {
                var bytes = new byte[48];
                if (!Convert.TryFromBase64String(digest, bytes, out var length) || length != 32)
                {
                    errors.Add($"Clients:{id}:SecretDigests holds '{digest}', which is not the base64 of a 32-byte SHA-256 digest.");
                }
            }
        }

        return Result(errors);
    }

    private static void CheckPath(List<string> errors, string name, string? path)
    {
        if (path is not { Length: > 1 } || path[0] != '/' || path.Any(c => c is < '!' or > '~' or '?' or '#' or '{' or '}'))
        {
            errors.Add($"RotationEndpointOptions.{name} is '{path}'; it must be an absolute path such as '/oauth/token' (no query, no route parameters).");
        }
    }

    private static ValidateOptionsResult Result(List<string> errors) =>
        errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
}
