using Microsoft.Extensions.Options;

namespace RotationEngine.OpenIddict.Internal;

/// <summary>Validates <see cref="OpenIddictServerRotationEngineOptions"/> at start-up.</summary>
internal sealed class OptionsValidator : IValidateOptions<OpenIddictServerRotationEngineOptions>
{
    public ValidateOptionsResult Validate(string? name, OpenIddictServerRotationEngineOptions options)
    {
        var errors = new List<string>();
        if (!Enum.IsDefined(options.LegacyRefreshTokens))
        {
            errors.Add($"OpenIddictServerRotationEngineOptions.LegacyRefreshTokens is {(int)options.LegacyRefreshTokens}; it must be Reject or Migrate.");
        }

        if (options.RetryAfter < TimeSpan.FromSeconds(1) || options.RetryAfter > TimeSpan.FromHours(1) || options.RetryAfter.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            errors.Add($"OpenIddictServerRotationEngineOptions.RetryAfter is {options.RetryAfter}; it must be whole seconds from 00:00:01 to 01:00:00.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
