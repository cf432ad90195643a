using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenIddict.Server;
using RotationEngine.OpenIddict.Internal;
using RotationEngine.Storage;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace RotationEngine.OpenIddict.Handlers;

/// <summary>
/// Answers OpenIddict's revocation endpoint (RFC 7009) for engine refresh tokens: revokes the token's family (every
/// token of the session, current or retired) with one store write, and the family's OpenIddict authorization when it
/// is ad hoc. Runs before OpenIddict's own token-entry revocation, which is then skipped
/// (<see cref="RevokeTokenUnlessEngineToken"/>): an engine token has no token entry.
/// </summary>
public sealed class RevokeEngineRefreshToken : IOpenIddictServerHandler<HandleRevocationRequestContext>
{
    private readonly RefreshTokenEngine _engine;
    private readonly OpenIddictServerRotationEngineOptions _options;
    private readonly Authorizations _authorizations;
    private readonly ILogger _logger;

    private RevokeEngineRefreshToken(RefreshTokenEngine engine, OpenIddictServerRotationEngineOptions options, Authorizations authorizations, ILogger logger)
    {
        _engine = engine;
        _options = options;
        _authorizations = authorizations;
        _logger = logger;
    }

    /// <summary>The descriptor: scoped, ordered just before OpenIddict's
    /// <see cref="OpenIddictServerHandlers.Revocation.RevokeToken"/>.</summary>
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<HandleRevocationRequestContext>()
            .UseScopedHandler(static provider => new RevokeEngineRefreshToken(
                Services.Engine(provider),
                provider.GetRequiredService<IOptionsMonitor<OpenIddictServerRotationEngineOptions>>().CurrentValue,
                Services.Authorizations(provider),
                Services.Logger(provider)))
            .SetOrder(OpenIddictServerHandlers.Revocation.RevokeToken.Descriptor.Order - 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    /// <inheritdoc />
    public async ValueTask HandleAsync(HandleRevocationRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Transaction.GetRevocation() is not { Handled: false } revocation)
        {
            return;
        }

        revocation.Handled = true;
        bool revoked;
        try
        {
            revoked = await _engine.RevokeAsync(revocation.Token, revocation.ClientId, RevocationReason.TokenRevocation, context.CancellationToken).ConfigureAwait(false);
        }
        catch (RotationStoreException exception)
        {
            Refusals.StoreUnavailable(context, _logger, exception, "revocation");
            return;
        }

        Log.FamilyRevokedByClient(_logger, revocation.FamilyId, revocation.ClientId, revoked);
        if (revoked && _options.RevokeAdHocAuthorizationOnRevocation)
        {
            await _authorizations.RevokeAsync(context.Options, revocation.AuthorizationId, revocation.FamilyId, "token revocation", onlyAdHoc: true, context.CancellationToken).ConfigureAwait(false);
        }
    }
}
