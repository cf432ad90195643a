using System.Security.Claims;
using OpenIddict.Abstractions;
using RotationEngine.OpenIddict;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OpenIddictServer;

/// <summary>The principal hook: on each refresh, the claims come from the user store again, and a user who may no
/// longer sign in ends the session.</summary>
public sealed class UserStoreRebuilder(TestUsers users) : IRefreshPrincipalRebuilder
{
    /// <inheritdoc />
    public ValueTask<ClaimsPrincipal?> RebuildAsync(RefreshPrincipalContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var user = users.Find(context.Subject);
        if (user is null || user.LockedOut)
        {
            return ValueTask.FromResult<ClaimsPrincipal?>(null);
        }

        var identity = (ClaimsIdentity)context.Principal.Identity!;
        identity.SetClaim(Claims.Email, user.Email).SetClaim(Claims.Name, user.Name).SetClaims(Claims.Role, [.. user.Roles]);
        identity.SetClaim("rebuilt_at_generation", context.Generation.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return ValueTask.FromResult<ClaimsPrincipal?>(context.Principal);
    }
}
