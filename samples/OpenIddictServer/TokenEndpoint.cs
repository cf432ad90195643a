using System.Collections.Immutable;
using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using RotationEngine.OpenIddict;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OpenIddictServer;

/// <summary>The token endpoint, written as OpenIddict's samples write theirs: the password grant checks the user;
/// the refresh-token grant takes the principal the refresh token carries (AuthenticateAsync), checks that the user
/// may still sign in and refreshes the claims from the user store. Nothing here knows about RotationEngine.</summary>
internal static class TokenEndpoint
{
    public static async Task<IResult> HandleAsync(HttpContext context, TestUsers users)
    {
        var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenIddict request.");
        if (request.IsPasswordGrantType())
        {
            var user = users.FindByCredentials(request.Username, request.Password);
            if (user is null)
            {
                return Forbid(Errors.InvalidGrant, "The username/password couple is invalid.");
            }

            var identity = Identity(user);
            identity.SetScopes(request.GetScopes().Intersect([Scopes.OfflineAccess, Scopes.Email, Scopes.Roles, "api"]));
            identity.SetResources("resource-server");
            return SignIn(identity);
        }

        if (request.IsRefreshTokenGrantType())
        {
            var result = await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
            var stored = result.Principal ?? throw new InvalidOperationException("The refresh token's principal could not be restored.");
            if (context.RequestServices.GetService<IRefreshPrincipalRebuilder>() is not null)
            {
                // The rebuilder already refreshed the principal (and ended sessions of users who may no longer sign in).
                return SignIn((ClaimsIdentity)stored.Identity!);
            }

            var user = users.Find(stored.GetClaim(Claims.Subject)!);
            if (user is null || user.LockedOut)
            {
                return Forbid(Errors.InvalidGrant, "The user is no longer allowed to sign in.");
            }

            // Override the user claims in case they changed since the refresh token was issued.
            var identity = new ClaimsIdentity(stored.Claims, authenticationType: "sample", nameType: Claims.Name, roleType: Claims.Role);
            identity.SetClaim(Claims.Email, user.Email).SetClaim(Claims.Name, user.Name).SetClaims(Claims.Role, [.. user.Roles]);
            return SignIn(identity);
        }

        return Forbid(Errors.UnsupportedGrantType, "The grant type is not supported.");
    }

    /// <summary>The identity of a user, with destinations as the samples set them.</summary>
    internal static ClaimsIdentity Identity(TestUser user)
    {
        var identity = new ClaimsIdentity(authenticationType: "sample", nameType: Claims.Name, roleType: Claims.Role);
        identity.SetClaim(Claims.Subject, user.Id).SetClaim(Claims.Name, user.Name).SetClaim(Claims.Email, user.Email).SetClaims(Claims.Role, [.. user.Roles]);
        return identity;
    }

    private static IResult SignIn(ClaimsIdentity identity)
    {
        identity.SetDestinations(static claim => claim.Type switch
        {
            Claims.Name or Claims.Email or Claims.Role => [Destinations.AccessToken],
            _ => [Destinations.AccessToken],
        });
        return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static IResult Forbid(string error, string description) => Results.Forbid(
        new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }),
        [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
}
