using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using RotationEngine.AspNetCore.AccessTokens;
using RotationEngine.AspNetCore.Binding;
using RotationEngine.AspNetCore.Clients;
using RotationEngine.AspNetCore.Internal;
using RotationEngine.Storage;

namespace RotationEngine.AspNetCore.Endpoints;

/// <summary>What a refresh came to: tokens, a refusal with its OAuth error, or a store fault (outcome unknown).</summary>
internal readonly record struct RefreshGrantResult(RotationResult Rotation, AccessTokenResult? AccessToken, string? Error, string? Description, bool StoreFault, string? Binding = null)
{
    public bool Succeeded => Error is null && !StoreFault && AccessToken is { Error: null };
}

/// <summary>
/// The refresh itself, shared by the token endpoint and the cookie endpoint: the binding from the
/// <see cref="IRefreshTokenBindingSource"/>, the client-bound rotation, the host's access token. The rotation is never
/// cancelled by the request's abort token: a client that disconnects must not leave a rotation half-way (the store
/// call completes, and the client's retry replays it within grace).
/// </summary>
internal sealed class RefreshGrant(
    RefreshTokenEngine engine, IAccessTokenIssuer issuer, IRefreshTokenBindingSource bindings, ILogger<RefreshGrant> logger)
{
    public const string InvalidGrantDescription = "The refresh token is invalid, expired or revoked, or was issued to another client.";

    public async ValueTask<RefreshGrantResult> ExecuteAsync(HttpContext context, ClientRegistration client, string refreshToken, string? scope)
    {
        var binding = await bindings.GetBindingAsync(context, client, context.RequestAborted).ConfigureAwait(false);
        if (binding.Error is { } bindingError)
        {
            return new RefreshGrantResult(default, null, bindingError, binding.ErrorDescription, StoreFault: false);
        }

        RotationResult rotation;
        try
        {
            rotation = await engine.RotateAsync(refreshToken, client.ClientId, binding.Value, CancellationToken.None).ConfigureAwait(false);
        }
        catch (RotationStoreException exception)
        {
            Log.StoreUnavailable(logger, "refresh", exception);
            return new RefreshGrantResult(default, null, null, null, StoreFault: true);
        }

        if (!rotation.Succeeded)
        {
            Log.RefreshRefused(logger, client.ClientId, rotation.Outcome, rotation.Cause);
            return new RefreshGrantResult(rotation, null, "invalid_grant", InvalidGrantDescription, StoreFault: false);
        }

        var accessToken = await issuer.IssueAsync(
            new AccessTokenRequest
            {
                Subject = rotation.Subject!,
                ClientId = client.ClientId,
                FamilyId = rotation.FamilyId!.Value,
                Metadata = rotation.Metadata,
                RequestedScope = scope,
                Binding = binding.Value,
                IsGraceReplay = rotation.Outcome == RotationOutcome.GraceReplay,
                HttpContext = context,
            },
            CancellationToken.None).ConfigureAwait(false);
        return accessToken.Error is { } error
            ? new RefreshGrantResult(rotation, accessToken, error, accessToken.ErrorDescription, StoreFault: false)
            : new RefreshGrantResult(rotation, accessToken, null, null, StoreFault: false, binding.Value);
    }
}
