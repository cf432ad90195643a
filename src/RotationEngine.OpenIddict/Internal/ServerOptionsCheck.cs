using Microsoft.Extensions.Options;
using OpenIddict.Server;

namespace RotationEngine.OpenIddict.Internal;

/// <summary>Refuses, at start-up, OpenIddict settings that contradict the engine, with a message that says what to remove.</summary>
internal sealed class ServerOptionsCheck : IValidateOptions<OpenIddictServerOptions>
{
    public ValidateOptionsResult Validate(string? name, OpenIddictServerOptions options) => options.DisableRollingRefreshTokens
        ? ValidateOptionsResult.Fail(
            "OpenIddict's server is configured with DisableRollingRefreshTokens() and UseRotationEngine(): RotationEngine rotates every refresh "
            + "token (that is how it detects reuse). Remove DisableRollingRefreshTokens(); the engine's grace rule (RotationPolicy.GraceWindow) "
            + "covers the clients that retry with their previous token.")
        : ValidateOptionsResult.Success;
}
