using Microsoft.Extensions.Options;
using RotationEngine.Keys;

namespace RotationEngine.Internal;

/// <summary>Checks <see cref="RotationEngineOptions"/> at start-up; each message names the option and its range.</summary>
internal sealed class RotationEngineOptionsValidator : IValidateOptions<RotationEngineOptions>
{
    public ValidateOptionsResult Validate(string? name, RotationEngineOptions options)
    {
        var errors = Errors(options).ToList();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    public static void ThrowIfInvalid(RotationEngineOptions options)
    {
        var errors = Errors(options).ToList();
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(nameof(RotationEngineOptions), typeof(RotationEngineOptions), errors);
        }
    }

    private static IEnumerable<string> Errors(RotationEngineOptions options)
    {
        if (options.DefaultPolicy is null)
        {
            yield return "RotationEngineOptions.DefaultPolicy is required.";
        }
        else
        {
            foreach (var error in options.DefaultPolicy.Validate("RotationEngineOptions.DefaultPolicy"))
            {
                yield return error;
            }
        }

        foreach (var (clientId, policy) in options.ClientPolicies)
        {
            var name = $"RotationEngineOptions.ClientPolicies['{clientId}']";
            if (policy is null)
            {
                yield return $"{name} is null.";
                continue;
            }

            foreach (var error in policy.Validate(name))
            {
                yield return error;
            }
        }

        if (options.Retention < TimeSpan.Zero || options.Retention > TimeSpan.FromDays(3650))
        {
            yield return $"RotationEngineOptions.Retention is {options.Retention}; it must be from 00:00:00 to 3650.00:00:00.";
        }

        if (options.PruneBatchSize is < 1 or > 100_000)
        {
            yield return $"RotationEngineOptions.PruneBatchSize is {options.PruneBatchSize}; it must be from 1 to 100000.";
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in options.Keys)
        {
            if (key is null)
            {
                yield return "RotationEngineOptions.Keys holds a null entry.";
                continue;
            }

            if (!ChainKey.IsValidId(key.Id))
            {
                yield return $"RotationEngineOptions.Keys: key id '{key.Id}' must be 1 to 64 characters of letters, digits, '.', '_' or '-'.";
            }
            else if (!ids.Add(key.Id))
            {
                yield return $"RotationEngineOptions.Keys: key id '{key.Id}' appears twice.";
            }

            string? secretError = null;
            try
            {
                var length = KeyRing.DecodeSecret(key).Length;
                if (length < ChainKey.MinimumSize)
                {
                    secretError = $"RotationEngineOptions.Keys['{key.Id}'].Secret has {length} bytes; it must have at least {ChainKey.MinimumSize} (base64 of {ChainKey.MinimumSize} random bytes).";
                }
            }
            catch (ArgumentException)
            {
                secretError = $"RotationEngineOptions.Keys['{key.Id}'].Secret is not valid base64.";
            }

            if (secretError is not null)
            {
                yield return secretError;
            }
        }

        if (options.CurrentKeyId is not null && !options.Keys.Any(k => k?.Id == options.CurrentKeyId))
        {
            yield return $"RotationEngineOptions.CurrentKeyId '{options.CurrentKeyId}' names no key in RotationEngineOptions.Keys.";
        }
    }
}
